// A worker thread starts without the parent's TypeScript loader: register tsx, then load the
// thread's real entry (workerData.entry). Plain JavaScript, because nothing could load
// TypeScript yet. Used for every thread (thread-entry.ts) when bookflow runs as TypeScript;
// compiled, a thread runs its entry directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
