import { JOBS } from '../../flows/index.js';
import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import { bookSteps, chapterStep } from '../jobs/book-steps.js';
import type { BookQueries } from './book-queries.js';

export interface BookRetryDeps {
  books: Pick<BookQueries, 'getChapter' | 'getChapters' | 'chaptersRetried' | 'reopen'>;
  jobs: Pick<BookJobs, 'failedAmong' | 'retry'>;
  requireBook(principal: Principal, id: string): Promise<BookRow>;
  /** Drops the shared status reads of the book (book-service.ts). */
  changed(id: string): void;
}

/** Retrying what failed: one chapter, or every failed step of a book; finished chapters are untouched. */
export function createBookRetry(deps: BookRetryDeps) {
  const { books, jobs } = deps;

  /** Retries one failed chapter from a fresh set of attempts. */
  async function retryChapter(principal: Principal, id: string, n: number) {
    await deps.requireBook(principal, id);
    const chapter = await books.getChapter(id, n);
    if (!chapter) throw new NotFoundError(`chapter ${n} of book ${id}`);
    const failed = await jobs.failedAmong([chapterStep(id, n)]);
    if (failed.length === 0)
      throw new ConflictError(
        `chapter ${n} has not failed (it is ${chapter.status}); only failed chapters can be retried`,
      );
    await books.chaptersRetried(id, [n]);
    const stillFailed = (await books.getChapters(id)).filter((c) => c.status === 'FAILED');
    if (stillFailed.length === 0) await books.reopen(id, 'GENERATING');
    const retried = await jobs.retry(failed);
    deps.changed(id);
    return { retried };
  }

  /** Retries every failed step of the book. */
  async function retryBook(principal: Principal, id: string) {
    await deps.requireBook(principal, id);
    const chapters = await books.getChapters(id);
    const failed = await jobs.failedAmong(
      bookSteps(
        id,
        chapters.map((c) => c.n),
      ),
    );
    if (failed.length === 0) throw new ConflictError(`book ${id} has no failed step to retry`);
    const failedChapters = chapters.filter((c) => c.status === 'FAILED').map((c) => c.n);
    await books.chaptersRetried(id, failedChapters);
    const parseFailed = failed.some((step) => step.name === JOBS.parseEpub);
    await books.reopen(id, parseFailed ? 'UPLOADED' : 'GENERATING');
    const retried = await jobs.retry(failed);
    deps.changed(id);
    return { retried };
  }

  return { retryChapter, retryBook };
}
