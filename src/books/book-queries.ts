import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { AudioFormat } from '../audio/audio-format.js';
import type { Db } from '../db/database.js';
import { type BookRow, type BookStatus, books, type ChapterRow, chapters } from '../db/schema.js';

/** Forward order of a book's life; FAILED and CANCELLED sit outside it. */
const FORWARD: BookStatus[] = ['UPLOADED', 'PARSING', 'GENERATING', 'MERGING', 'READY'];
export const IN_PROGRESS: BookStatus[] = ['UPLOADED', 'PARSING', 'GENERATING', 'MERGING'];

/** Statuses a book may move to `to` from, so late or repeated jobs never move it back. */
function predecessors(to: BookStatus): BookStatus[] {
  if (to === 'FAILED') return FORWARD.filter((s) => s !== 'READY');
  return FORWARD.slice(0, FORWARD.indexOf(to));
}

export interface NewBook {
  id: string;
  owner: string;
  idempotencyKey?: string | null;
  fileName: string | null;
  sizeBytes: number;
  sourceKey: string;
  voice?: string | null;
  speed?: number;
  format?: AudioFormat;
}

export interface ParsedChapter {
  n: number;
  title: string;
  charCount: number;
  skipped: string | null;
  text?: { start: number; end: number };
}

/** Chapter rows per INSERT (8 parameters a row). */
const CHAPTER_BATCH = 1000;

export type BookQueries = ReturnType<typeof createBookQueries>;

/**
 * The hottest queries (every chapter job's, every status poll's), built once:
 * drizzle then skips rebuilding their SQL each time (PostgreSQL prepares them
 * either way).
 */
function preparedChapterQueries(db: Db) {
  const now = sql`now()`;
  const chapter = and(
    eq(chapters.bookId, sql.placeholder('bookId')),
    eq(chapters.n, sql.placeholder('n')),
  );
  const start = () =>
    db.update(chapters).set({
      status: 'RUNNING',
      attempts: sql`${chapters.attempts} + 1`,
      startedAt: now,
      error: null,
      updatedAt: now,
    });
  return {
    book: db
      .select()
      .from(books)
      .where(eq(books.id, sql.placeholder('id')))
      .prepare('book_by_id'),
    chapter: db.select().from(chapters).where(chapter).prepare('chapter_by_n'),
    // Polled status answers read a book's chapters twice a second.
    chapters: db
      .select()
      .from(chapters)
      .where(eq(chapters.bookId, sql.placeholder('bookId')))
      .orderBy(asc(chapters.n))
      .prepare('chapters_of_book'),
    started: start()
      .where(and(chapter, sql`status <> 'DONE'`))
      .returning()
      .prepare('chapter_started'),
    restarted: start().where(chapter).returning().prepare('chapter_restarted'),
    done: db
      .update(chapters)
      .set({
        status: 'DONE',
        audioKey: sql`${sql.placeholder('audioKey')}`,
        durationSec: sql`${sql.placeholder('durationSec')}`,
        error: null,
        finishedAt: now,
        updatedAt: now,
      })
      .where(chapter)
      .prepare('chapter_done'),
  };
}

export function createBookQueries(db: Db) {
  const now = sql`now()`;
  const hot = preparedChapterQueries(db);

  /** Moves a book forward; returns false when it is already at or past `to` (or READY). */
  async function advance(id: string, to: BookStatus, extra: Partial<BookRow> = {}) {
    const rows = await db
      .update(books)
      .set({ ...extra, status: to, updatedAt: now, ...(to === 'FAILED' ? {} : { error: null }) })
      .where(and(eq(books.id, id), inArray(books.status, predecessors(to))))
      .returning({ id: books.id });
    return rows.length > 0;
  }

  return {
    advance,

    /** Undefined when the owner already has a book under the same idempotency key. */
    async insertBook(book: NewBook): Promise<BookRow | undefined> {
      const [row] = await db.insert(books).values(book).onConflictDoNothing().returning();
      return row;
    },

    async findByIdempotencyKey(owner: string, key: string): Promise<BookRow | undefined> {
      const [row] = await db
        .select()
        .from(books)
        .where(and(eq(books.owner, owner), eq(books.idempotencyKey, key)));
      return row;
    },

    /** CANCELLED is final: no job moves a book out of it (see `predecessors`). */
    async cancel(id: string): Promise<void> {
      await db
        .update(books)
        .set({ status: 'CANCELLED', error: null, updatedAt: now })
        .where(eq(books.id, id));
    },

    /** Of `ids`, those cancelled; workers ask this to abort their running jobs. */
    async cancelledAmong(ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: books.id })
        .from(books)
        .where(and(inArray(books.id, ids), eq(books.status, 'CANCELLED')));
      return rows.map((r) => r.id);
    },

    /** Books in progress that have not moved for `olderThanMs`: the reconciler's candidates. */
    async staleInProgress(olderThanMs: number, limit: number): Promise<BookRow[]> {
      return db
        .select()
        .from(books)
        .where(
          and(
            inArray(books.status, IN_PROGRESS),
            lt(books.updatedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`),
          ),
        )
        .orderBy(asc(books.updatedAt))
        .limit(limit);
    },

    /** Marks a book as looked at, so the next sweep does not take it up again at once. */
    async touch(id: string): Promise<void> {
      await db.update(books).set({ updatedAt: now }).where(eq(books.id, id));
    },

    async getBook(id: string): Promise<BookRow | undefined> {
      const [row] = await hot.book.execute({ id });
      return row;
    },

    /** Keyset-paged, newest first; one owner's books, or everyone's when `owner` is undefined. */
    async listBooks(
      limit: number,
      before?: { createdAt: Date; id: string },
      owner?: string,
    ): Promise<BookRow[]> {
      const page = before
        ? or(
            lt(books.createdAt, before.createdAt),
            and(eq(books.createdAt, before.createdAt), lt(books.id, before.id)),
          )
        : undefined;
      return db
        .select()
        .from(books)
        .where(and(page, owner === undefined ? undefined : eq(books.owner, owner)))
        .orderBy(desc(books.createdAt), desc(books.id))
        .limit(limit);
    },

    /** One chapter: chapter jobs of a 1000-chapter book must not each read all 1000 rows. */
    async getChapter(bookId: string, n: number): Promise<ChapterRow | undefined> {
      const [row] = await hot.chapter.execute({ bookId, n });
      return row;
    },

    getChapters: (bookId: string): Promise<ChapterRow[]> => hot.chapters.execute({ bookId }),

    fail: (id: string, reason: string) => advance(id, 'FAILED', { error: reason }),

    /** An explicit retry re-opens a FAILED book; nothing else moves a book backwards. */
    async reopen(id: string, to: BookStatus): Promise<boolean> {
      const rows = await db
        .update(books)
        .set({ status: to, error: null, updatedAt: now })
        .where(and(eq(books.id, id), eq(books.status, 'FAILED')))
        .returning({ id: books.id });
      return rows.length > 0;
    },

    async setMetadata(
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
    },

    /** The voice that follows the book's language, unless the uploader chose one. */
    async setDefaultVoice(id: string, voice: string): Promise<void> {
      await db
        .update(books)
        .set({ voice })
        .where(and(eq(books.id, id), isNull(books.voice)));
    },

    /**
     * Idempotent: a re-run of parse never resets chapters that already made progress.
     * Written in batches, each well under PostgreSQL's 65,535 bind parameters.
     */
    async insertChapters(bookId: string, list: ParsedChapter[]): Promise<void> {
      for (let i = 0; i < list.length; i += CHAPTER_BATCH) {
        await db
          .insert(chapters)
          .values(
            list.slice(i, i + CHAPTER_BATCH).map((c) => ({
              bookId,
              n: c.n,
              title: c.title,
              charCount: c.charCount,
              textStart: c.text?.start ?? null,
              textEnd: c.text?.end ?? null,
              status: c.skipped ? ('SKIPPED' as const) : ('PENDING' as const),
              error: c.skipped,
            })),
          )
          .onConflictDoNothing();
      }
    },

    /**
     * Marks a chapter RUNNING and counts the attempt; returns the chapter, or
     * undefined when it is already DONE (a late duplicate cannot un-finish it)
     * unless `evenIfDone` (its audio is gone and must be made again).
     */
    async chapterStarted(
      bookId: string,
      n: number,
      opts: { evenIfDone?: boolean } = {},
    ): Promise<ChapterRow | undefined> {
      const query = opts.evenIfDone ? hot.restarted : hot.started;
      const [row] = await query.execute({ bookId, n });
      return row;
    },

    async chapterDone(bookId: string, n: number, audioKey: string, durationSec: number) {
      await hot.done.execute({ bookId, n, audioKey, durationSec });
    },

    /** `final` = attempts exhausted; otherwise the chapter waits for its next attempt. */
    async chapterFailed(bookId: string, n: number, error: string, final: boolean) {
      await db
        .update(chapters)
        .set({ status: final ? 'FAILED' : 'PENDING', error, updatedAt: now })
        .where(and(eq(chapters.bookId, bookId), eq(chapters.n, n), sql`status <> 'DONE'`));
    },

    async chaptersRetried(bookId: string, ns: number[]): Promise<void> {
      if (ns.length === 0) return;
      await db
        .update(chapters)
        .set({ status: 'PENDING', error: null, updatedAt: now })
        .where(
          and(eq(chapters.bookId, bookId), inArray(chapters.n, ns), eq(chapters.status, 'FAILED')),
        );
    },
  };
}
