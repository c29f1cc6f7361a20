import type { BookQueries } from '../books/book-queries.js';

/** A job this process is running, and how to abort it. */
interface Running {
  bookId: string;
  abort(): void;
}

/**
 * Cancellation reaches workers through the database, so it works the same on
 * both queue backends and across machines: while this process runs jobs, it
 * asks once per `intervalMs` which of their books are CANCELLED and aborts
 * those jobs (BullMQ hands the processor an AbortSignal).
 */
export function createCancelWatcher(
  books: Pick<BookQueries, 'cancelledAmong'>,
  onError: (err: Error) => void,
  intervalMs = 1000,
) {
  const running = new Map<string, Running>();
  let asking = false; // one question at a time, however slow the database is
  const timer = setInterval(async () => {
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
  }, intervalMs);
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
    stop: () => clearInterval(timer),
  };
}
