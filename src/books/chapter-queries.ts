import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { type ChapterRow, chapters } from '../db/schema.js';
import type { Cue } from '../text/chapter-text.js';

export interface ParsedChapter {
  n: number;
  title: string;
  charCount: number;
  wordCount: number;
  excerpt: string;
  skipped: string | null;
  text?: { start: number; end: number };
}

/** Chapter rows per INSERT (10 parameters a row). */
const CHAPTER_BATCH = 1000;

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
  // A run (unset: any) may finish only the chapter it started last: a run whose lock lapsed
  // and whose job another run took over writes nothing (generate-audio-processor.ts).
  const ownRun = sql`(${sql.placeholder('run')}::text is null or ${chapters.run} = ${sql.placeholder('run')})`;
  const start = () =>
    db.update(chapters).set({
      status: 'RUNNING',
      attempts: sql`${chapters.attempts} + 1`,
      run: sql`${sql.placeholder('run')}`,
      startedAt: now,
      error: null,
      updatedAt: now,
    });
  return {
    chapter: db.select().from(chapters).where(chapter).prepare('chapter_by_n'),
    // Polled status answers read a book's chapters twice a second.
    chapters: db
      .select()
      .from(chapters)
      .where(eq(chapters.bookId, sql.placeholder('bookId')))
      .orderBy(asc(chapters.n))
      .prepare('chapters_of_book'),
    // A cancelled chapter stays cancelled, whatever a job still under way writes later.
    started: start()
      .where(and(chapter, sql`status not in ('DONE', 'CANCELLED')`))
      .returning()
      .prepare('chapter_started'),
    restarted: start()
      .where(and(chapter, sql`status <> 'CANCELLED'`))
      .returning()
      .prepare('chapter_restarted'),
    done: db
      .update(chapters)
      .set({
        status: 'DONE',
        audioKey: sql`${sql.placeholder('audioKey')}`,
        durationSec: sql`${sql.placeholder('durationSec')}`,
        cues: sql`${sql.placeholder('cues')}::jsonb`,
        spanSec: sql`${sql.placeholder('spanSec')}`,
        leadSec: sql`${sql.placeholder('leadSec')}`,
        error: null,
        finishedAt: now,
        updatedAt: now,
      })
      .where(and(chapter, ownRun, sql`status <> 'CANCELLED'`))
      .returning({ n: chapters.n })
      .prepare('chapter_done'),
  };
}

/** A chapter's audio as its job made it (chapterDone). */
export interface ChapterAudio {
  audioKey: string;
  durationSec: number;
  cues: Cue[] | null;
  spanSec?: number | null;
  leadSec?: number | null;
}

export interface Progress {
  done: number;
  total: number;
  /** Chapters that failed for good while others may still run (the book is FAILED once none do). */
  failed: number;
  /** Words of the chapters done, and of all to read: the time left goes by words, not chapters. */
  wordsDone: number;
  wordsTotal: number;
}

/** A book's chapters: written by parse, moved along by their chapter jobs, read by status polls. */
export function createChapterQueries(db: Db) {
  const now = sql`now()`;
  const hot = preparedChapterQueries(db);

  /** One chapter: chapter jobs of a 1000-chapter book must not each read all 1000 rows. */
  async function getChapter(bookId: string, n: number): Promise<ChapterRow | undefined> {
    const [row] = await hot.chapter.execute({ bookId, n });
    return row;
  }

  const getChapters = (bookId: string): Promise<ChapterRow[]> => hot.chapters.execute({ bookId });

  /**
   * Idempotent: a re-run of parse never resets chapters that already made progress.
   * Written in batches, each well under PostgreSQL's 65,535 bind parameters.
   */
  async function insertChapters(bookId: string, list: ParsedChapter[]): Promise<void> {
    for (let i = 0; i < list.length; i += CHAPTER_BATCH) {
      await db
        .insert(chapters)
        .values(
          list.slice(i, i + CHAPTER_BATCH).map((c) => ({
            bookId,
            n: c.n,
            title: c.title,
            charCount: c.charCount,
            wordCount: c.wordCount,
            excerpt: c.excerpt,
            textStart: c.text?.start ?? null,
            textEnd: c.text?.end ?? null,
            status: c.skipped ? ('SKIPPED' as const) : ('PENDING' as const),
            error: c.skipped,
          })),
        )
        .onConflictDoNothing();
    }
  }

  /**
   * Marks a chapter RUNNING and counts the attempt; returns the chapter, or
   * undefined when it is already DONE (a late duplicate cannot un-finish it)
   * unless `evenIfDone` (its audio is gone and must be made again).
   */
  async function chapterStarted(
    bookId: string,
    n: number,
    opts: { evenIfDone?: boolean; run?: string } = {},
  ): Promise<ChapterRow | undefined> {
    const query = opts.evenIfDone ? hot.restarted : hot.started;
    const [row] = await query.execute({ bookId, n, run: opts.run ?? null });
    return row;
  }

  /**
   * `cues`: where each text starts in its audio (null when the chapter's audio is not its own).
   * False when `run` is not the run that started the chapter last: nothing is written.
   */
  async function chapterDone(bookId: string, n: number, audio: ChapterAudio, run?: string) {
    const { audioKey, durationSec, spanSec = null, leadSec = null } = audio;
    const cues = audio.cues && JSON.stringify(audio.cues);
    const params = { bookId, n, audioKey, durationSec, cues, spanSec, leadSec, run: run ?? null };
    return (await hot.done.execute(params)).length > 0;
  }

  /** `final` = attempts exhausted; otherwise the chapter waits for its next attempt. */
  async function chapterFailed(
    bookId: string,
    n: number,
    error: string,
    final: boolean,
    run?: string,
  ) {
    await db
      .update(chapters)
      .set({ status: final ? 'FAILED' : 'PENDING', error, updatedAt: now })
      .where(
        and(
          eq(chapters.bookId, bookId),
          eq(chapters.n, n),
          run === undefined ? undefined : eq(chapters.run, run),
          sql`status not in ('DONE', 'CANCELLED')`,
        ),
      );
  }

  /**
   * A running chapter given back unfailed (the engine is down for everyone): waiting again,
   * its attempt not counted, `note` saying why.
   */
  async function chapterWaiting(bookId: string, n: number, note: string) {
    await db
      .update(chapters)
      .set({
        status: 'PENDING',
        attempts: sql`greatest(${chapters.attempts} - 1, 0)`,
        error: note,
        updatedAt: now,
      })
      .where(and(eq(chapters.bookId, bookId), eq(chapters.n, n), eq(chapters.status, 'RUNNING')));
  }

  async function chaptersRetried(bookId: string, chapterNumbers: number[]): Promise<void> {
    if (chapterNumbers.length === 0) return;
    await db
      .update(chapters)
      .set({ status: 'PENDING', error: null, updatedAt: now })
      .where(
        and(
          eq(chapters.bookId, bookId),
          inArray(chapters.n, chapterNumbers),
          eq(chapters.status, 'FAILED'),
        ),
      );
  }

  /** Chapters done of those read, for each of `bookIds` (a page of the book list). */
  async function progressOf(bookIds: string[]): Promise<Map<string, Progress>> {
    if (bookIds.length === 0) return new Map();
    const rows = await db
      .select({
        bookId: chapters.bookId,
        done: sql<number>`count(*) filter (where ${chapters.status} = 'DONE')`.mapWith(Number),
        total: sql<number>`count(*) filter (where ${chapters.status} <> 'SKIPPED')`.mapWith(Number),
        failed: sql<number>`count(*) filter (where ${chapters.status} = 'FAILED')`.mapWith(Number),
        wordsDone:
          sql<number>`coalesce(sum(${chapters.wordCount}) filter (where ${chapters.status} = 'DONE'), 0)`.mapWith(
            Number,
          ),
        wordsTotal:
          sql<number>`coalesce(sum(${chapters.wordCount}) filter (where ${chapters.status} <> 'SKIPPED'), 0)`.mapWith(
            Number,
          ),
      })
      .from(chapters)
      .where(inArray(chapters.bookId, bookIds))
      .groupBy(chapters.bookId);
    return new Map(rows.map(({ bookId, ...counts }) => [bookId, counts]));
  }

  return {
    progressOf,
    getChapter,
    getChapters,
    insertChapters,
    chapterStarted,
    chapterDone,
    chapterFailed,
    chapterWaiting,
    chaptersRetried,
  };
}
