import { readFileSync } from 'node:fs';
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
/** The first message of a thread, on Linux: its id (see tellThreadId). */
export interface ThreadId {
  tid: number;
}
export type ParseAnswer =
  | { ok: true; book: Awaited<ReturnType<typeof parseEpubFile>> }
  | { ok: false; epub: boolean; message: string };

/**
 * This thread's id on Linux, told first, so the pool can read the thread's own CPU time
 * (/proc/self/task/<id>/stat): its deadline counts the time it parses, not the time it waits
 * for a core on a busy machine. Elsewhere nothing is told, and the deadline is the wall clock.
 */
function tellThreadId(): void {
  let stat: string;
  try {
    // Read on this thread itself (synchronously): /proc/thread-self is the calling thread.
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return;
  }
  parentPort?.postMessage({ tid: Number(stat.split(' ')[0]) } satisfies ThreadId);
}
tellThreadId();

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
