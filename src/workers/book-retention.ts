import type { FastifyBaseLogger } from 'fastify';
import { discardBook } from '../books/book-discard.js';
import type { BookQueries } from '../books/book-queries.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import type { Storage } from '../storage/storage.js';

const DAY_MS = 24 * 3600_000;
const PAGE = 100;
/** Retention is counted in days: a sweep an hour is plenty, and costs one query when idle. */
const SWEEP_MS = 3600_000;

export interface RetentionDeps {
  books: Pick<BookQueries, 'finishedBefore' | 'purge'>;
  jobs: Pick<BookJobs, 'discard'>;
  storage: Pick<Storage, 'deletePrefix'>;
  log: Pick<FastifyBaseLogger, 'info' | 'warn'>;
}

/**
 * Purges every finished book (READY, FAILED or CANCELLED) unchanged for
 * `days`, as `DELETE /books/:id?purge=true` does: its jobs, stored files,
 * chapters, record and idempotency key. Answers how many were purged.
 */
export async function purgeExpired(deps: RetentionDeps, days: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const page = await deps.books.finishedBefore(days * DAY_MS, PAGE);
    for (const book of page) {
      await discardBook(deps, book.id);
      await deps.books.purge(book.id);
      deps.log.info({ bookId: book.id, status: book.status, days }, 'book purged (RETENTION_DAYS)');
    }
    purged += page.length;
    if (page.length < PAGE) return purged;
  }
}

/** Sweeps a minute after start, then hourly, while RETENTION_DAYS is set. */
export function startRetention(deps: RetentionDeps, days: number) {
  const sweep = () =>
    purgeExpired(deps, days).catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'retention sweep failed'),
    );
  const first = setTimeout(sweep, 60_000);
  const timer = setInterval(sweep, SWEEP_MS);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
