import { parentPort, workerData } from 'node:worker_threads';
import { buildReadAlong, type ReadAlongRequest } from './readalong-build.js';

/** Builds one read-along in this thread (see books/book-readalong.ts) and answers it. */
const request = (workerData as { request: ReadAlongRequest }).request;
try {
  const built = await buildReadAlong(request);
  parentPort?.postMessage({ ok: true, built });
} catch (err) {
  parentPort?.postMessage({ ok: false, message: (err as Error).message });
}
