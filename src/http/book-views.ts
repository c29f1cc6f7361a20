import { BOOK_ID_PATTERN } from '../../flows/index.js';
import { estimatedSeconds } from '../books/book-review.js';
import { chapterMarks } from '../books/book-subtitles.js';
import type { Progress } from '../books/chapter-queries.js';
import type { BookRow, ChapterRow, DeliveryRow } from '../db/schema.js';
import { HttpError } from './http-errors.js';
import type { BookViewT, ChapterViewT } from './schemas.js';

/** How a book is shown: its resource's links, its status view, the list cursor. */
export const links = (id: string) => ({
  self: `/books/${id}`,
  jobs: `/books/${id}/jobs`,
  audio: `/books/${id}/audio`,
});

export function bookView(
  book: BookRow,
  chapters: ChapterRow[],
  deliveries: DeliveryRow[] = [],
): BookViewT {
  const starts = new Map(chapterMarks(chapters).map((m) => [m.chapter.n, m.start]));
  const counted = chapters.filter((c) => c.status !== 'SKIPPED');
  return {
    id: book.id,
    status: book.status,
    title: book.title,
    author: book.author,
    language: book.language,
    progress: {
      done: counted.filter((c) => c.status === 'DONE').length,
      total: counted.length,
      failed: counted.filter((c) => c.status === 'FAILED').length,
    },
    error: book.error,
    durationSec: book.durationSec,
    voice: book.voice,
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
    createdAt: book.createdAt.toISOString(),
    chapters: chapters.map((c) => chapterView(c, book.speed, starts.get(c.n))),
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

export function chapterView(c: ChapterRow, speed: number, startSec?: number): ChapterViewT {
  return {
    n: c.n,
    title: c.title,
    status: c.status,
    attempts: c.attempts,
    error: c.error,
    durationSec: c.durationSec,
    included: c.status !== 'SKIPPED',
    wordCount: c.wordCount,
    estimatedSec: estimatedSeconds(c.wordCount, speed),
    excerpt: c.excerpt,
    startSec: startSec ?? null,
  };
}

export function bookSummary(b: BookRow, progress: Progress = { done: 0, total: 0, failed: 0 }) {
  return {
    id: b.id,
    status: b.status,
    title: b.title,
    author: b.author,
    progress,
    createdAt: b.createdAt.toISOString(),
    readyAt: b.readyAt?.toISOString() ?? null,
    links: links(b.id),
  };
}

export function encodeCursor(book: BookRow): string {
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
