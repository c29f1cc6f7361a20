import { BOOK_ID_PATTERN } from '../../flows/index.js';
import type { BookSnapshot } from '../books/book-service.js';
import { chapterMarks } from '../books/book-subtitles.js';
import type { Progress } from '../books/chapter-queries.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { HttpError } from './http-errors.js';
import type { BookViewT, ChapterViewT } from './schemas.js';

/** How a book is shown: its resource's links, its status view, the list cursor. */
export const links = (id: string) => ({
  self: `/books/${id}`,
  jobs: `/books/${id}/jobs`,
  audio: `/books/${id}/audio`,
});

/** Seconds `words` of the book take to hear, at its voice's measured pace (tts/voices.ts). */
export type Estimate = (words: number, book: BookRow) => number;

const wordsOf = (chapters: ChapterRow[]) => chapters.reduce((sum, c) => sum + c.wordCount, 0);

export function bookView(
  { book, chapters, deliveries, percents }: BookSnapshot,
  estimate: Estimate,
): BookViewT {
  const starts = new Map(chapterMarks(chapters).map((m) => [m.chapter.n, m.start]));
  const counted = chapters.filter((c) => c.status !== 'SKIPPED');
  const done = counted.filter((c) => c.status === 'DONE');
  return {
    id: book.id,
    status: book.status,
    title: book.title,
    author: book.author,
    language: book.language,
    progress: {
      done: done.length,
      total: counted.length,
      failed: counted.filter((c) => c.status === 'FAILED').length,
      wordsDone: wordsOf(done),
      wordsTotal: wordsOf(counted),
    },
    estimatedSec: estimate(wordsOf(counted), book),
    error: book.error,
    retry: book.status === 'FAILED' ? `/books/${book.id}/retry` : null,
    durationSec: book.durationSec,
    voice: book.voice,
    dialogueVoice: book.dialogueVoice,
    speed: book.speed,
    format: book.format,
    priority: book.priority,
    autostart: book.autostart,
    splitHours: book.splitHours,
    parts: book.partCount,
    lexicon: book.lexicon,
    readOptions: {
      altText: book.readOptions.altText ?? false,
      boilerplate: book.readOptions.keepBoilerplate ? ('keep' as const) : ('skip' as const),
    },
    fileName: book.fileName,
    createdAt: book.createdAt.toISOString(),
    stoppedAt: stoppedAt(book),
    chapters: chapters.map((c) => ({
      ...chapterView(c, estimate(c.wordCount, book), starts.get(c.n)),
      ...(percents.has(c.n) && { percentDone: percents.get(c.n) }),
    })),
    leftOut: book.leftOut,
    deliveries: deliveries.map((d) => ({
      target: 'abs' as const,
      state: d.state,
      attempts: d.attempts,
      error: d.error,
      location: d.location,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    })),
    links: links(book.id),
  };
}

export function chapterView(c: ChapterRow, estimatedSec: number, startSec?: number): ChapterViewT {
  return {
    n: c.n,
    title: c.title,
    status: c.status,
    attempts: c.attempts,
    error: c.error,
    durationSec: c.durationSec,
    included: c.status !== 'SKIPPED',
    wordCount: c.wordCount,
    estimatedSec,
    excerpt: c.excerpt,
    startSec: startSec ?? null,
  };
}

const STOPPED = new Set(['READY', 'FAILED', 'CANCELLED', 'REVIEW']);

/** When the book stopped moving (its clock stops there); null while it moves. */
const stoppedAt = (b: BookRow) =>
  STOPPED.has(b.status) ? (b.readyAt ?? b.updatedAt).toISOString() : null;

const NO_PROGRESS: Progress = { done: 0, total: 0, failed: 0, wordsDone: 0, wordsTotal: 0 };

export function bookSummary(b: BookRow, progress: Progress = NO_PROGRESS) {
  return {
    id: b.id,
    status: b.status,
    title: b.title,
    author: b.author,
    progress,
    fileName: b.fileName,
    createdAt: b.createdAt.toISOString(),
    readyAt: b.readyAt?.toISOString() ?? null,
    stoppedAt: stoppedAt(b),
    links: links(b.id),
  };
}

export function encodeCursor(book: Pick<BookRow, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([book.createdAt.toISOString(), book.id])).toString('base64url');
}

const BOOK_ID = new RegExp(BOOK_ID_PATTERN);

/** A cursor is only ever one we made: a date a book could have been created at, and a book id. */
export function decodeCursor(
  cursor: string | undefined,
): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const date = new Date(String(createdAt));
    const year = date.getUTCFullYear();
    if (typeof id === 'string' && BOOK_ID.test(id) && year >= 2000 && year <= 9999)
      return { createdAt: date, id };
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid cursor: pass the "next" value of the previous page as it is');
}
