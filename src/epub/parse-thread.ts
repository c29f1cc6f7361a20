import { parentPort } from 'node:worker_threads';
import type { EpubLimits } from './epub-limits.js';
import { EpubError } from './epub-limits.js';
import { parseEpubFile } from './epub-parser.js';
import type { ReadOptions } from './parsed-book.js';

/** A request to the parse thread, and its answer (see parse-thread-pool.ts). */
export interface ParseRequest {
  file: string;
  limits: EpubLimits;
  read: ReadOptions;
}
export type ParseAnswer =
  | { ok: true; book: Awaited<ReturnType<typeof parseEpubFile>> }
  | { ok: false; epub: boolean; message: string };

// The thread parses one book at a time, for as long as the pool keeps it.
parentPort?.on('message', async ({ file, limits, read }: ParseRequest) => {
  let answer: ParseAnswer;
  try {
    answer = { ok: true, book: await parseEpubFile(file, limits, read) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    answer = { ok: false, epub: e instanceof EpubError, message: e.message };
  }
  parentPort?.postMessage(answer);
});
