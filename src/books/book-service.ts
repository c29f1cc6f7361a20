import type { DeliveryTarget, JobNode } from '../../flows/index.js';
import { canSee, type Principal } from '../access/principal.js';
import type { BookRow, BookStatus, ChapterRow, DeliveryRow } from '../db/schema.js';
import { NotFoundError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import type { Storage } from '../storage/storage.js';
import type { Voice } from '../tts/tts-engine.js';
import { createDeliveries } from './book-delivery.js';
import { discardBook } from './book-discard.js';
import { createBookFiles } from './book-files.js';
import { createPreviews } from './book-preview.js';
import type { BookQueries } from './book-queries.js';
import { createReadAlong } from './book-readalong.js';
import { createBookRetry } from './book-retry.js';
import { createBookReview } from './book-review.js';
import { createSubtitles } from './book-subtitles.js';
import { createBookUploads } from './book-upload.js';
import { createLexiconService } from './lexicon-queries.js';
import { createTtlCache, type TtlCache } from './ttl-cache.js';

export type { RangeOf } from './book-files.js';
export type { FormEntry } from './book-upload.js';
export type BookService = ReturnType<typeof createBookService>;

/** A book with its chapters, as one read of them saw it. */
export interface BookSnapshot {
  book: BookRow;
  chapters: ChapterRow[];
  deliveries: DeliveryRow[];
  /** How far each running chapter is (per cent), by number. */
  percents: Map<number, number>;
}

/** How long a book's status (and job tree) is shared by every caller who asks for it. */
export const STATUS_TTL_MS = 500;

export interface BookServiceDeps {
  books: BookQueries;
  storage: Pick<Storage, 'putFile' | 'get' | 'getToFile' | 'size' | 'deletePrefix'>;
  jobs: BookJobs;
  /** What the engines offer now (a voice may be installed while the service runs). */
  voices: () => Voice[];
  maxUploadBytes: number;
  /** Where READY books may be pushed (configured Audiobookshelf); none by default. */
  deliveryTargets?: DeliveryTarget[];
}

/** One page of the caller's books: newest first, after `before`, maybe of one status or title. */
export interface BookPage {
  limit: number;
  before?: { createdAt: Date; id: string };
  status?: BookStatus;
  titleHas?: string;
}

/**
 * The catalogue as its callers use it, one service per route file. Every method takes the
 * caller's principal and checks it first: another owner's book is "not found", here,
 * whatever layer calls. Status reads are polled by many clients at once: each book's status
 * and job tree are read at most once per STATUS_TTL_MS and shared (see ttl-cache.ts), and
 * this service's own changes drop them.
 */
export function createBookService(deps: BookServiceDeps) {
  const { books, storage, jobs } = deps;
  const snapshots = createTtlCache<BookSnapshot>(STATUS_TTL_MS);
  const trees = createTtlCache<{ book: BookRow; tree: JobNode }>(STATUS_TTL_MS);

  /** The book, if the caller may see it; "not found" otherwise. */
  async function requireBook(principal: Principal, id: string): Promise<BookRow> {
    const book = await books.getBook(id);
    if (!book || !canSee(principal, book.owner)) throw new NotFoundError(`book ${id}`);
    return book;
  }

  /** The book changed (here or anywhere): its shared status reads are dropped. */
  function changed(id: string): void {
    snapshots.invalidate(`${id}/`);
    trees.invalidate(`${id}/`);
  }

  /** The book's status and chapters, at most about a second old. */
  function get(principal: Principal, id: string) {
    return shared(snapshots, requireBook, principal, id, async () => {
      const [chapters, deliveries] = await Promise.all([
        books.getChapters(id),
        books.deliveriesOf(id),
      ]);
      const running = chapters.filter((c) => c.status === 'RUNNING').map((c) => c.n);
      return { chapters, deliveries, percents: await jobs.chapterPercents(id, running) };
    });
  }

  /**
   * The book's job tree, complete for any number of chapters (see jobs/job-tree.ts); a
   * READY book's as recorded when it finished (its jobs are gone from the queue backend).
   */
  function jobTree(principal: Principal, id: string) {
    return shared(trees, requireBook, principal, id, async (book) => ({
      tree:
        (book.status === 'READY' ? await books.jobHistoryOf(id) : undefined) ??
        (await jobs.readTree(book, await books.getChapters(id))),
    }));
  }

  /** The caller's books (an admin's: everyone's), with their progress. */
  async function list(principal: Principal, page: BookPage) {
    const rows = await books.listBooks({
      ...page,
      owner: principal.admin ? undefined : principal.owner,
    });
    return { rows, progress: await books.progressOf(rows.map((b) => b.id)) };
  }

  /**
   * Cancels a book: its status becomes CANCELLED (final), its waiting jobs and
   * stored objects are removed. Running jobs are aborted by their workers,
   * which then remove what is left (see cancel-watcher.ts).
   */
  async function cancel(principal: Principal, id: string, opts: { purge?: boolean } = {}) {
    await requireBook(principal, id);
    await books.cancel(id);
    changed(id);
    await discardBook({ jobs, storage }, id);
    // Purged: the record, its chapters and its idempotency key go too; the book is then not found.
    if (opts.purge) await books.purge(id);
    return { id, status: 'CANCELLED' as const, ...(opts.purge ? { purged: true } : {}) };
  }

  const targets = deps.deliveryTargets ?? [];
  const watched = { requireBook, changed };
  const uploads = createBookUploads(deps);
  const retry = createBookRetry({ books, jobs, ...watched });
  return {
    /** Book routes: upload, list, status, job tree, cancel, retry. */
    books: {
      maxUploadBytes: deps.maxUploadBytes,
      upload: uploads.upload,
      tooLarge: uploads.tooLarge,
      list,
      get,
      jobTree,
      cancel,
      retryChapter: retry.retryChapter,
      retryBook: retry.retryBook,
    },
    /** Audio routes: the audiobook, a chapter, a part, the cover. */
    files: createBookFiles({ books, storage, requireBook }),
    /** Event routes: who may follow a book, and news of its changes. */
    events: watched,
    lexicon: createLexiconService(books),
    review: createBookReview({ books, jobs, ...watched }),
    previews: createPreviews({ books, jobs, storage, voices: deps.voices, requireBook }),
    subtitles: createSubtitles({ books, requireBook }),
    readAlong: createReadAlong({ books, storage, requireBook }),
    deliveries: createDeliveries({ books, jobs, targets, ...watched }),
  };
}

/**
 * A book's shared status read: built at most once per STATUS_TTL_MS for every
 * caller, and checked against each caller (the first caller's check builds it).
 */
async function shared<T extends { book: BookRow }>(
  cache: TtlCache<T>,
  requireBook: (principal: Principal, id: string) => Promise<BookRow>,
  principal: Principal,
  id: string,
  build: (book: BookRow) => Promise<Omit<T, 'book'>>,
): Promise<T> {
  const value = await cache.get(`${id}/`, async () => {
    const book = await requireBook(principal, id);
    return { book, ...(await build(book)) } as T;
  });
  if (!canSee(principal, value.book.owner)) throw new NotFoundError(`book ${id}`);
  return value;
}
