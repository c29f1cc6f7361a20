// A worker thread starts without the parent's TypeScript loader: register tsx, then load the
// thread's real entry (plain JavaScript here, because nothing could load TypeScript yet).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
