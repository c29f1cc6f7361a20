import { JOB_QUEUE, JOBS, type JobName, jobIds } from '../../flows/index.js';
import { canSee, type Principal } from '../access/principal.js';
import type { BookRow, BookStatus, ChapterRow, DeliveryRow } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { Storage } from '../storage/storage.js';
import type { Voice } from '../tts/tts-engine.js';
import { createDeliveries, type DeliveryTarget } from './book-delivery.js';
import { discardBook } from './book-discard.js';
import { createBookFiles } from './book-files.js';
import { createPreviews } from './book-preview.js';
import type { BookQueries } from './book-queries.js';
import { createReadAlong } from './book-readalong.js';
import { createBookReview } from './book-review.js';
import { createSubtitles } from './book-subtitles.js';
import { createBookUploads } from './book-upload.js';
import { type JobNode, readJobTree } from './job-tree.js';
import { createLexiconService } from './lexicon-queries.js';
import { createTtlCache } from './ttl-cache.js';

export type { UploadPart } from './book-upload.js';
export type BookService = ReturnType<typeof createBookService>;

/** A book with its chapters, as one read of them saw it. */
export interface BookSnapshot {
  book: BookRow;
  chapters: ChapterRow[];
  deliveries: DeliveryRow[];
}

/** How long a book's status (and job tree) is shared by every caller who asks for it. */
export const STATUS_TTL_MS = 500;

export interface BookServiceDeps {
  books: BookQueries;
  storage: Pick<Storage, 'putFile' | 'get' | 'getToFile' | 'size' | 'deletePrefix'>;
  queues: Pick<QueueBackend, 'queue' | 'flowProducer'>;
  voices: Voice[];
  maxUploadBytes: number;
  /** Where READY books may be pushed (configured Audiobookshelf); none by default. */
  deliveryTargets?: DeliveryTarget[];
}

export type { RangeOf } from './book-files.js';

/**
 * The catalogue as its callers use it. Every method takes the caller's
 * principal and checks it first: another owner's book is "not found", here,
 * whatever layer calls. Status reads are polled by many clients at once: each
 * book's status and job tree are read at most once per STATUS_TTL_MS and
 * shared (see ttl-cache.ts), and this service's own changes drop them.
 */
export function createBookService(deps: BookServiceDeps) {
  const { books, storage, queues } = deps;
  const snapshots = createTtlCache<BookSnapshot>(STATUS_TTL_MS);
  const trees = createTtlCache<{ book: BookRow; tree: JobNode }>(STATUS_TTL_MS);

  async function requireBook(principal: Principal, id: string): Promise<BookRow> {
    const book = await books.getBook(id);
    if (!book || !canSee(principal, book.owner)) throw new NotFoundError(`book ${id}`);
    return book;
  }

  /**
   * A book's shared status read: built at most once per STATUS_TTL_MS for every
   * caller, and checked against each caller (the first caller's check builds it).
   */
  async function shared<T extends { book: BookRow }>(
    cache: ReturnType<typeof createTtlCache<T>>,
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

  /** The book's status and chapters, at most about a second old. */
  function get(principal: Principal, id: string) {
    return shared(snapshots, principal, id, async () => {
      const [chapters, deliveries] = await Promise.all([
        books.getChapters(id),
        books.deliveriesOf(id),
      ]);
      return { chapters, deliveries };
    });
  }

  /**
   * The book's job tree, complete for any number of chapters (see job-tree.ts); a READY
   * book's as recorded when it finished (its jobs are gone from the queue backend).
   */
  function jobs(principal: Principal, id: string) {
    return shared(trees, principal, id, async (book) => ({
      tree:
        (book.status === 'READY' ? await books.jobHistoryOf(id) : undefined) ??
        (await readJobTree(queues, book, await books.getChapters(id))),
    }));
  }

  function changed(id: string): void {
    snapshots.invalidate(`${id}/`);
    trees.invalidate(`${id}/`);
  }

  /** The caller's books (an admin's: everyone's), newest first, keyset-paged, maybe of one status. */
  async function list(
    principal: Principal,
    page: {
      limit: number;
      before?: { createdAt: Date; id: string };
      status?: BookStatus;
      titleHas?: string;
    },
  ) {
    const owner = principal.admin ? undefined : principal.owner;
    const rows = await books.listBooks(page.limit, page.before, owner, page.status, page.titleHas);
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
    await discardBook({ queues, storage }, id);
    // Purged: the record, its chapters and its idempotency key go too; the book is then not found.
    if (opts.purge) await books.purge(id);
    return { id, status: 'CANCELLED' as const, ...(opts.purge ? { purged: true } : {}) };
  }

  async function failedJob(name: JobName, id: string) {
    const job = await queues.queue(JOB_QUEUE[name]).getJob(id);
    return job && (await job.getState()) === 'failed' ? job : undefined;
  }

  /** Retries one failed chapter from a fresh set of attempts; finished chapters are untouched. */
  async function retryChapter(principal: Principal, id: string, n: number) {
    await requireBook(principal, id);
    const chapter = await books.getChapter(id, n);
    if (!chapter) throw new NotFoundError(`chapter ${n} of book ${id}`);
    const job = await failedJob(JOBS.generateAudio, jobIds.chapter(id, n));
    if (!job)
      throw new ConflictError(
        `chapter ${n} has not failed (it is ${chapter.status}); only failed chapters can be retried`,
      );
    await books.chaptersRetried(id, [n]);
    const stillFailed = (await books.getChapters(id)).filter((c) => c.status === 'FAILED');
    if (stillFailed.length === 0) await books.reopen(id, 'GENERATING');
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    changed(id);
    return { retried: [job.id as string] };
  }

  /** Retries every failed step of the book. */
  async function retryBook(principal: Principal, id: string) {
    await requireBook(principal, id);
    const chapters = await books.getChapters(id);
    const candidates: [JobName, string][] = [
      [JOBS.parseEpub, jobIds.parse(id)],
      [JOBS.mergeAudiobook, jobIds.merge(id)],
      [JOBS.finalizeBook, jobIds.finalize(id)],
      ...chapters.map((c): [JobName, string] => [JOBS.generateAudio, jobIds.chapter(id, c.n)]),
    ];
    const failed = (
      await Promise.all(candidates.map(([name, jobId]) => failedJob(name, jobId)))
    ).filter((j) => j !== undefined);
    if (failed.length === 0) throw new ConflictError(`book ${id} has no failed step to retry`);
    const failedChapters = chapters.filter((c) => c.status === 'FAILED').map((c) => c.n);
    await books.chaptersRetried(id, failedChapters);
    const parseFailed = failed.some((j) => j.name === JOBS.parseEpub);
    await books.reopen(id, parseFailed ? 'UPLOADED' : 'GENERATING');
    for (const job of failed) {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    changed(id);
    return { retried: failed.map((j) => j.id as string) };
  }

  return {
    maxUploadBytes: deps.maxUploadBytes,
    ...parts(deps, requireBook, changed),
    ...createBookFiles({ books, storage, requireBook }), // audio, chapterAudio, part, cover
    changed,
    requireBook,
    ...createBookUploads(deps), // upload, tooLarge
    list,
    get,
    jobs,
    cancel,
    retryChapter,
    retryBook,
  };
}

/** The parts of the catalogue with modules of their own, sharing its access check. */
function parts(
  deps: BookServiceDeps,
  requireBook: (principal: Principal, id: string) => Promise<BookRow>,
  changed: (id: string) => void,
) {
  const { books, queues, storage } = deps;
  const targets = deps.deliveryTargets ?? [];
  return {
    lexicon: createLexiconService(books),
    review: createBookReview({ books, queues, requireBook, changed }),
    previews: createPreviews({ books, queues, storage, voices: deps.voices, requireBook }),
    subtitles: createSubtitles({ books, requireBook }),
    readAlong: createReadAlong({ books, storage, requireBook }),
    deliveries: createDeliveries({ books, queues, requireBook, changed, targets }),
  };
}
