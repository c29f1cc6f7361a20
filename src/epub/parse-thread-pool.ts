import { readFileSync } from 'node:fs';
import type { Worker as Thread } from 'node:worker_threads';
import { sourceFile } from '../source-files.js';
import { oneAtATimePerCore, startThread } from '../thread-entry.js';
import { EpubError, type EpubLimits, formatCount } from './epub-limits.js';
import type { ParseAnswer, ParseRequest, ThreadId } from './parse-thread.js';
import type { ParsedBook, ReadOptions } from './parsed-book.js';

/** A book stopped by the thread's deadline or memory ceiling, not by a rule of the parser. */
export class ParseLimitError extends EpubError {
  override name = 'ParseLimitError';
  constructor(
    readonly limit: 'time' | 'memory',
    message: string,
  ) {
    super(message);
  }
}

export interface ParseThreadOptions {
  /** Heap ceiling of one parse thread (`PARSE_MEMORY_MB`). */
  memoryMb: number;
  /** Wall-clock deadline of one parse (`PARSE_TIMEOUT`). */
  timeoutMs: number;
  /** An idle thread is kept this long for the next book (starting one costs ~0.2 s). */
  idleMs?: number;
}

const ENTRY = sourceFile('./parse-thread', import.meta.url);

/**
 * A parse running this long lets the next book start beside it: real books take well under
 * a second (Moby-Dick 0.2 s in a warm thread), a hostile one may run to PARSE_TIMEOUT.
 */
const SLOW_PARSE_MS = 3000;

/**
 * The deadline counts the parse thread's own CPU time (a book read while other work holds the
 * cores is not failed for waiting); past this many deadlines of wall time it ends anyway.
 */
const WALL_BACKSTOP = 5;

/** CPU time a thread of this process has used (Linux: its /proc stat, in 100 Hz ticks). */
function threadCpuMs(tid: number | undefined): number | undefined {
  if (tid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state, …, utime (14), stime (15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Parses books in worker threads, so a hostile book can neither block the
 * event loop (which renews job locks and, in `npm start`, answers HTTP) nor
 * take the process down: a thread that passes its heap ceiling or its
 * deadline is terminated, and the book is refused with a message naming that
 * limit (the deadline in the thread's own CPU time where the system tells it, see
 * WALL_BACKSTOP). Threads are reused while they behave. At most one parse per core runs at once,
 * the others waiting in the order their jobs came (a batch of uploads is read first come,
 * first done, instead of all at once and all late), unless one runs past SLOW_PARSE_MS;
 * the deadline counts from the start.
 */
export function createParseThreadPool(options: ParseThreadOptions) {
  const idle: { worker: Thread; timer: NodeJS.Timeout }[] = [];
  const tids = new WeakMap<Thread, number>();
  const inTurn = oneAtATimePerCore<ParseAnswer>({ yieldAfterMs: SLOW_PARSE_MS });

  function spawn(): Thread {
    const worker = startThread(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (m: ParseAnswer | ThreadId) => {
      if ('tid' in m) tids.set(worker, m.tid);
    });
    return worker;
  }

  /** Whether a parse started at `start` (wall ms, thread CPU ms) is past its deadline. */
  function overdue(worker: Thread, start: { wall: number; cpu: number | undefined }): boolean {
    const wall = Date.now() - start.wall;
    const cpu = threadCpuMs(tids.get(worker));
    if (cpu === undefined) return wall > options.timeoutMs;
    // A new thread tells its id as it starts: its first parse counts from the thread's birth.
    return cpu - (start.cpu ?? 0) > options.timeoutMs || wall > options.timeoutMs * WALL_BACKSTOP;
  }

  function take(): Thread {
    const kept = idle.pop();
    if (!kept) return spawn();
    clearTimeout(kept.timer);
    return kept.worker;
  }

  function keep(worker: Thread): void {
    const timer = setTimeout(() => {
      idle.splice(
        idle.findIndex((k) => k.worker === worker),
        1,
      );
      void worker.terminate();
    }, options.idleMs ?? 60_000);
    timer.unref();
    worker.unref();
    idle.push({ worker, timer });
  }

  async function parse(
    file: string,
    limits: EpubLimits,
    read: ReadOptions,
    signal?: AbortSignal,
  ): Promise<ParsedBook> {
    const answer = await inTurn(() => {
      // Cancelled or handed back while it waited: its turn passes without a thread.
      signal?.throwIfAborted();
      return parseInThread({ file, limits, read });
    });
    if (answer.ok) return revive(answer.book);
    throw answer.epub ? new EpubError(answer.message) : new Error(answer.message);
  }

  async function parseInThread(request: ParseRequest): Promise<ParseAnswer> {
    const worker = take();
    worker.ref();
    try {
      const answer = await run(worker, request);
      keep(worker);
      return answer;
    } catch (err) {
      // Past a limit, or dead: this thread is not used again.
      void worker.terminate();
      throw err;
    }
  }

  function run(worker: Thread, request: ParseRequest): Promise<ParseAnswer> {
    return new Promise((resolve, reject) => {
      const start = { wall: Date.now(), cpu: threadCpuMs(tids.get(worker)) };
      const timer = setInterval(
        () => {
          if (!overdue(worker, start)) return;
          done();
          reject(
            new ParseLimitError(
              'time',
              `reading this book took more than ${formatCount(options.timeoutMs / 1000)} s (PARSE_TIMEOUT), so it was stopped; books built this way (deeply nested markup, an enormous table of contents) cannot be converted`,
            ),
          );
        },
        Math.min(1000, options.timeoutMs / 4),
      );
      const done = () => {
        clearInterval(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      const onMessage = (answer: ParseAnswer | ThreadId) => {
        if ('tid' in answer) return;
        done();
        resolve(answer);
      };
      const onError = (err: Error & { code?: string }) => {
        done();
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          reject(
            new ParseLimitError(
              'memory',
              `reading this book needed more than ${formatCount(options.memoryMb)} MB of memory (PARSE_MEMORY_MB), so it was stopped; a book this large or repetitive cannot be converted`,
            ),
          );
        } else reject(err);
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`the parse thread stopped (exit code ${code})`));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(request);
    });
  }

  return {
    parse,
    /**
     * Starts a thread ahead of the first book: booting one takes a core for ~0.3 s, many
     * times that while a batch of uploads loads the machine, and the first book waited for it.
     */
    warm(): void {
      if (idle.length === 0) keep(spawn());
    },
    /** Ends the idle threads (a running parse ends with its own thread). */
    async close(): Promise<void> {
      const threads = idle.splice(0);
      for (const t of threads) clearTimeout(t.timer);
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

export type ParseThreadPool = ReturnType<typeof createParseThreadPool>;

/** Buffers cross a thread boundary as plain Uint8Arrays. */
function revive(book: ParsedBook): ParsedBook {
  const cover = book.cover && {
    mediaType: book.cover.mediaType,
    bytes: Buffer.from(
      book.cover.bytes.buffer,
      book.cover.bytes.byteOffset,
      book.cover.bytes.byteLength,
    ),
  };
  return { ...book, cover };
}
