import type { Principal } from '../access/principal.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import { stripUnspeakable } from '../text/clean-text.js';
import type { BookQueries } from './book-queries.js';

export interface BookReviewDeps {
  books: Pick<BookQueries, 'getBook' | 'getChapter' | 'editChapter' | 'startReviewed'>;
  jobs: Pick<BookJobs, 'wakeMerge'>;
  requireBook(principal: Principal, id: string): Promise<BookRow>;
  /** Drops the shared status reads of the book (book-service.ts). */
  changed(id: string): void;
}

/**
 * A book uploaded with `autostart=false` stops at REVIEW once parsed: its uploader picks
 * the chapters to read and their titles, then starts it. Only the chapters included are
 * synthesized, and the audiobook has exactly those, in reading order, with those titles.
 */
export function createBookReview(deps: BookReviewDeps) {
  const { books } = deps;

  const notInReview = (book: BookRow | undefined, what: string) =>
    new ConflictError(
      `${what} only while the book is in REVIEW (it is ${book?.status ?? 'gone'}); upload with autostart=false to review a book`,
    );

  /** Includes or leaves out one chapter, and may rename it. */
  async function editChapter(
    principal: Principal,
    id: string,
    n: number,
    edit: { included?: boolean; title?: string },
  ): Promise<{ book: BookRow; chapter: ChapterRow }> {
    const book = await deps.requireBook(principal, id);
    const chapter = await books.getChapter(id, n);
    if (!chapter) throw new NotFoundError(`chapter ${n} of book ${id}`);
    if (book.status !== 'REVIEW') throw notInReview(book, 'chapters can be changed');
    if (edit.included && chapter.textStart === null)
      throw new ConflictError(`chapter ${n} has no text to read (${chapter.error ?? 'empty'})`);
    const title = edit.title === undefined ? undefined : stripUnspeakable(edit.title).trim();
    if (title === '') throw new InvalidInputError('title must have something to say');
    const edited = await books.editChapter(id, n, { included: edit.included, title });
    if (!edited) throw notInReview(await books.getBook(id), 'chapters can be changed');
    deps.changed(id);
    return { book, chapter: edited };
  }

  /** Starts a reviewed book: its included chapters are synthesized, then joined. */
  async function start(principal: Principal, id: string) {
    await deps.requireBook(principal, id);
    const chapters = await books.startReviewed(id);
    if (chapters === undefined) {
      const book = await books.getBook(id);
      if (book?.status === 'REVIEW')
        throw new ConflictError(
          `no chapter of book ${id} is included; include one with PATCH /books/${id}/chapters/{n} {"included": true}`,
        );
      throw notInReview(book, 'a book can be started');
    }
    deps.changed(id);
    await deps.jobs.wakeMerge(id);
    return { id, status: 'GENERATING' as const, chapters };
  }

  return { editChapter, start };
}
