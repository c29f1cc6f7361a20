// A worker thread starts without the parent's TypeScript loader: register tsx, then load the
// thread's real entry (workerData.entry). Plain JavaScript, because nothing could load
// TypeScript yet. Used by the parse threads and the Piper synthesis threads.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
