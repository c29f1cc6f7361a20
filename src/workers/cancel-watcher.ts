import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';

/** A job this process is running, and how to abort it. */
interface Running {
  bookId: string;
  abort(): void;
}

/** Asked at most this often when woken by book events (a busy fleet writes many). */
const WAKE_MS = 100;

/**
 * Cancellation reaches workers through the database, so it works the same on
 * both queue backends and across machines: while this process runs jobs, it
 * asks which of their books are CANCELLED and aborts those jobs (BullMQ hands
 * the processor an AbortSignal). It asks when a book changes (the `book_events`
 * notification, given `listen`), at most every 100 ms, and once per
 * `intervalMs` in any case (a notification can be missed while reconnecting).
 */
export function createCancelWatcher(
  books: Pick<BookQueries, 'cancelledAmong'>,
  onError: (err: Error) => void,
  opts: { intervalMs?: number; listen?: Database['listen'] } = {},
) {
  const running = new Map<string, Running>();
  let asking = false; // one question at a time, however slow the database is
  let woken: NodeJS.Timeout | undefined;
  const wake = () => {
    woken ??= setTimeout(() => {
      woken = undefined;
      void ask();
    }, WAKE_MS);
  };
  const unlisten = opts.listen?.('book_events', wake, wake).catch((err: Error) => {
    onError(err);
    return undefined;
  });
  const timer = setInterval(() => void ask(), opts.intervalMs ?? 1000);
  async function ask() {
    if (running.size === 0 || asking) return;
    asking = true;
    const bookIds = [...new Set([...running.values()].map((r) => r.bookId))];
    try {
      const cancelled = new Set(await books.cancelledAmong(bookIds));
      for (const r of running.values()) if (cancelled.has(r.bookId)) r.abort();
    } catch (err) {
      onError(err as Error);
    } finally {
      asking = false;
    }
  }
  timer.unref();
  return {
    /** Runs `work` as job `jobId` of `bookId`, abortable while it runs. */
    async track<T>(jobId: string, bookId: string, abort: () => void, work: () => Promise<T>) {
      running.set(jobId, { bookId, abort });
      try {
        return await work();
      } finally {
        running.delete(jobId);
      }
    },
    stop: () => {
      clearInterval(timer);
      clearTimeout(woken);
      void unlisten?.then((stop) => stop?.()).catch(() => {});
    },
  };
}
