import { and, asc, desc, eq, ilike, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { AudioFormat } from '../audio/audio-format.js';
import { ago, type Db } from '../db/database.js';
import { type BookRow, type BookStatus, bookStatusCounts, books, chapters } from '../db/schema.js';
import { fitted } from '../errors.js';
import { createChapterQueries } from './chapter-queries.js';
import { createChapterSchedule } from './chapter-schedule.js';
import { createDeliveryQueries } from './delivery-queries.js';
import { createJobHistoryQueries } from './job-history-queries.js';
import { createLexiconQueries } from './lexicon-queries.js';
import { createReviewQueries } from './review-queries.js';
import { createVoiceInstallQueries } from './voice-install-queries.js';

/** Forward order of a book's life; FAILED and CANCELLED sit outside it. */
const FORWARD: BookStatus[] = ['UPLOADED', 'PARSING', 'REVIEW', 'GENERATING', 'MERGING', 'READY'];
/** Moving on their own; a book in REVIEW waits for a person, however long. */
export const IN_PROGRESS: BookStatus[] = ['UPLOADED', 'PARSING', 'GENERATING', 'MERGING'];

/** Statuses a book may move to `to` from, so late or repeated jobs never move it back. */
export function predecessors(to: BookStatus): BookStatus[] {
  if (to === 'FAILED') return FORWARD.filter((s) => s !== 'READY');
  return FORWARD.slice(0, FORWARD.indexOf(to));
}

/**
 * `%`, `_` and `\\` match themselves in a LIKE pattern. NUL is dropped: PostgreSQL refuses it
 * in any text (so no title holds one), and a search for it would be a 500.
 */
const likeEscaped = (s: string) => s.replace(/\0/g, '').replace(/[\\%_]/g, (c) => `\\${c}`);

export interface NewBook {
  id: string;
  owner: string;
  idempotencyKey?: string | null;
  uploadFingerprint?: string | null;
  fileName: string | null;
  sizeBytes: number;
  sourceKey: string;
  voice?: string | null;
  dialogueVoice?: string | null;
  speed?: number;
  format?: AudioFormat;
  priority?: number;
  readOptions?: { altText?: true; keepBoilerplate?: true };
  autostart?: boolean;
  deliverTo?: string | null;
  splitHours?: number | null;
  lexicon?: Record<string, string>;
}

export type BookQueries = ReturnType<typeof createBookQueries>;

// Every chapter job reads its book: the query is built once (drizzle skips rebuilding its SQL).
const bookByIdQuery = (db: Db) =>
  db
    .select()
    .from(books)
    .where(eq(books.id, sql.placeholder('id')))
    .prepare('book_by_id');

export function createBookQueries(db: Db) {
  const now = sql`now()`;
  const bookById = bookByIdQuery(db);

  /** Moves a book forward; returns false when it is already at or past `to` (or READY). */
  async function advance(id: string, to: BookStatus, extra: Partial<BookRow> = {}) {
    const rows = await db
      .update(books)
      .set({ ...extra, status: to, updatedAt: now, ...(to === 'FAILED' ? {} : { error: null }) })
      .where(and(eq(books.id, id), inArray(books.status, predecessors(to))))
      .returning({ id: books.id });
    return rows.length > 0;
  }

  /** Undefined when the owner already has a book under the same idempotency key. */
  async function insertBook(book: NewBook): Promise<BookRow | undefined> {
    const [row] = await db.insert(books).values(book).onConflictDoNothing().returning();
    return row;
  }

  async function findByIdempotencyKey(owner: string, key: string): Promise<BookRow | undefined> {
    const [row] = await db
      .select()
      .from(books)
      .where(and(eq(books.owner, owner), eq(books.idempotencyKey, key)));
    return row;
  }

  /** CANCELLED is final: no job moves a book out of it (see `predecessors`). */
  async function cancel(id: string): Promise<void> {
    await db.transaction(async (tx) => {
      await tx
        .update(books)
        .set({ status: 'CANCELLED', error: null, updatedAt: now })
        .where(eq(books.id, id));
      // Every chapter not done ends with its book: nothing is left PENDING or RUNNING.
      await tx
        .update(chapters)
        .set({ status: 'CANCELLED', updatedAt: now })
        .where(and(eq(chapters.bookId, id), sql`status not in ('DONE', 'SKIPPED')`));
    });
  }

  /** Removes a book's record, its chapters and (with the row) its idempotency key. */
  async function purge(id: string): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.delete(chapters).where(eq(chapters.bookId, id));
      await tx.delete(books).where(eq(books.id, id));
    });
  }

  /** Of `ids`, those cancelled; workers ask this to abort their running jobs. */
  async function cancelledAmong(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .select({ id: books.id })
      .from(books)
      .where(and(inArray(books.id, ids), eq(books.status, 'CANCELLED')));
    return rows.map((r) => r.id);
  }

  /** Books in progress that have not moved for `olderThanMs`: the reconciler's candidates. */
  function staleInProgress(olderThanMs: number, limit: number): Promise<BookRow[]> {
    return unchangedFor(db, IN_PROGRESS, olderThanMs, limit);
  }

  /** Marks a book as looked at, so the next sweep does not take it up again at once. */
  async function touch(id: string): Promise<void> {
    await db.update(books).set({ updatedAt: now }).where(eq(books.id, id));
  }

  async function getBook(id: string): Promise<BookRow | undefined> {
    const [row] = await bookById.execute({ id });
    return row;
  }

  /** Keyset-paged, newest first; one owner's books, or everyone's when `owner` is undefined. */
  async function listBooks({
    limit,
    before,
    owner,
    status,
    titleHas,
  }: {
    limit: number;
    before?: { createdAt: Date; id: string };
    owner?: string;
    status?: BookStatus;
    titleHas?: string;
  }): Promise<BookRow[]> {
    // A row comparison, which the (created_at, id) indexes take as where to start reading: the
    // same condition spelled with OR is a filter, read from the newest book down to the page.
    const page = before
      ? sql`(${books.createdAt}, ${books.id}) < (${before.createdAt.toISOString()}::timestamptz, ${before.id})`
      : undefined;
    return db
      .select()
      .from(books)
      .where(
        and(
          page,
          owner === undefined ? undefined : eq(books.owner, owner),
          status === undefined ? undefined : eq(books.status, status),
          titleHas === undefined ? undefined : ilike(books.title, `%${likeEscaped(titleHas)}%`),
        ),
      )
      .orderBy(desc(books.createdAt), desc(books.id))
      .limit(limit);
  }

  /** Books in each status (for the metrics), from the counts a trigger keeps: a few rows. */
  async function countByStatus(): Promise<{ status: BookStatus; count: number }[]> {
    const { status, n } = bookStatusCounts;
    const count = sql<number>`sum(${n})::int`;
    return db.select({ status, count }).from(bookStatusCounts).groupBy(status);
  }

  function fail(id: string, reason: string) {
    return advance(id, 'FAILED', { error: reason });
  }

  /** An explicit retry re-opens a FAILED book; nothing else moves a book backwards. */
  async function reopen(id: string, to: BookStatus): Promise<boolean> {
    const rows = await db
      .update(books)
      .set({ status: to, error: null, updatedAt: now })
      .where(and(eq(books.id, id), eq(books.status, 'FAILED')))
      .returning({ id: books.id });
    return rows.length > 0;
  }

  async function setMetadata(
    id: string,
    meta: {
      title: string;
      author: string | null;
      language: string;
      chapterCount: number;
      leftOut: string[];
    },
  ): Promise<void> {
    await db
      .update(books)
      .set({ ...meta, updatedAt: now })
      .where(eq(books.id, id));
  }

  /** Finished books unchanged for `olderThanMs`, oldest first: what retention purges. */
  function finishedBefore(olderThanMs: number, limit: number): Promise<BookRow[]> {
    return unchangedFor(db, ['READY', 'FAILED', 'CANCELLED'], olderThanMs, limit);
  }

  /** The voice that follows the book's language, unless the uploader chose one. */
  async function setDefaultVoice(id: string, voice: string): Promise<void> {
    await db
      .update(books)
      .set({ voice })
      .where(and(eq(books.id, id), isNull(books.voice)));
  }

  return {
    ...createChapterQueries(db),
    ...createJobHistoryQueries(db),
    ...createChapterSchedule(db),
    ...createLexiconQueries(db),
    ...createReviewQueries(db),
    ...createDeliveryQueries(db),
    ...createVoiceInstallQueries(db),
    advance,
    insertBook,
    findByIdempotencyKey,
    cancel,
    cancelledAmong,
    purge,
    staleInProgress,
    touch,
    getBook,
    listBooks,
    finishedBefore,
    countByStatus,
    fail,
    failIfSettled: (id: string) => failIfSettled(db, id),
    reopen,
    setMetadata,
    setDefaultVoice,
  };
}

/**
 * A book whose chapters have all ended, some FAILED, is FAILED, naming the first failed one
 * and how to retry; until then it stays GENERATING. Called after every chapter's last word
 * (DONE or FAILED), after that chapter's write committed: the last call sees them all.
 */
export async function failIfSettled(db: Db, id: string): Promise<boolean> {
  const failed = await db
    .select()
    .from(chapters)
    .where(and(eq(chapters.bookId, id), eq(chapters.status, 'FAILED')))
    .orderBy(asc(chapters.n));
  const [first] = failed;
  if (!first) return false;
  // The failure as data: each surface (the API's `retry`, the web page's button, the command
  // line) says how to retry it in its own terms.
  const more = failed.length - 1;
  const others = more > 0 ? ` (and ${more} more chapter${more === 1 ? '' : 's'} failed)` : '';
  const reason = fitted(
    `Chapter ${first.n} ("${first.title}") failed after ${first.attempts} attempt${first.attempts === 1 ? '' : 's'}: `,
    first.error ?? 'no reason given',
    others,
  );
  const rows = await db
    .update(books)
    .set({ status: 'FAILED', error: reason, updatedAt: sql`now()` })
    .where(
      and(
        eq(books.id, id),
        inArray(books.status, predecessors('FAILED')),
        sql`not exists (select 1 from ${chapters} where ${chapters.bookId} = ${id} and ${chapters.status} in ('PENDING', 'RUNNING'))`,
      ),
    )
    .returning({ id: books.id });
  return rows.length > 0;
}

/** Books of `statuses` unchanged for `olderThanMs`, oldest first. */
function unchangedFor(
  db: Db,
  statuses: BookStatus[],
  olderThanMs: number,
  limit: number,
): Promise<BookRow[]> {
  return db
    .select()
    .from(books)
    .where(and(inArray(books.status, statuses), lt(books.updatedAt, ago(olderThanMs))))
    .orderBy(asc(books.updatedAt))
    .limit(limit);
}
