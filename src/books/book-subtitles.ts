import type { Principal } from '../access/principal.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { ConflictError, GoneError, NotFoundError } from '../errors.js';
import type { TimedText } from '../text/subtitle-format.js';
import type { BookQueries } from './book-queries.js';

/**
 * A chapter's cues from `offset` on: each runs until the next starts (the pauses after it
 * included), the last to the chapter's end. A chapter made without timings (the dry run)
 * is one cue, its title.
 */
export function timedChapter(chapter: ChapterRow, offset = 0): TimedText[] {
  const duration = chapter.durationSec ?? 0;
  const cues = chapter.cues?.length ? chapter.cues : [{ start: 0, text: chapter.title }];
  return cues.map((c, i) => ({
    start: offset + c.start,
    end: offset + (cues[i + 1]?.start ?? duration),
    text: c.text,
  }));
}

/**
 * The book's cues in book time: each chapter read, in order, placed where the merge put it
 * (after the spans of those before it, its sound `leadSec` in); a chapter's last cue runs
 * to the next chapter's start.
 */
export function timedBook(chapters: ChapterRow[]): TimedText[] {
  let offset = 0;
  return chapters
    .filter((c) => c.status === 'DONE')
    .flatMap((c) => {
      const span = c.spanSec ?? c.durationSec ?? 0;
      const timed = timedChapter(c, offset + (c.leadSec ?? 0));
      const last = timed.at(-1);
      if (last) last.end = offset + span;
      offset += span;
      return timed;
    });
}

export interface SubtitleDeps {
  books: Pick<BookQueries, 'getChapter' | 'getChapters'>;
  requireBook(principal: Principal, id: string): Promise<BookRow>;
}

/** Subtitles of a READY book, or of one chapter as soon as it is done. */
export function createSubtitles(deps: SubtitleDeps) {
  async function readable(principal: Principal, id: string): Promise<BookRow> {
    const book = await deps.requireBook(principal, id);
    if (book.status === 'CANCELLED') throw new GoneError(`book ${id} was cancelled`);
    return book;
  }

  async function ofBook(principal: Principal, id: string) {
    const book = await readable(principal, id);
    if (book.status !== 'READY')
      throw new ConflictError(`the audiobook is not ready yet (status ${book.status})`);
    return { book, cues: timedBook(await deps.books.getChapters(id)) };
  }

  async function ofChapter(principal: Principal, id: string, n: number) {
    const book = await readable(principal, id);
    const chapter = await deps.books.getChapter(id, n);
    if (!chapter) throw new NotFoundError(`chapter ${n} of book ${id}`);
    if (chapter.status !== 'DONE')
      throw new ConflictError(`chapter ${n} has no audio yet (status ${chapter.status})`);
    return { book, cues: timedChapter(chapter) };
  }

  return { ofBook, ofChapter };
}
