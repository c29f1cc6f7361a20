import type { Principal } from '../access/principal.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { TimedText } from '../text/subtitle-format.js';
import { refuseCancelled, requireReady } from './book-files.js';
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

/** What a chapter's audio adds to the joined audiobook (audio/ffmpeg.ts probeChapterAudio). */
export const chapterSpan = (c: Pick<ChapterRow, 'spanSec' | 'durationSec'>) =>
  c.spanSec ?? c.durationSec ?? 0;

/** The chapters read, in order, where the merge placed them in the audiobook (seconds). */
export function chapterMarks(chapters: ChapterRow[]) {
  let start = 0;
  return chapters
    .filter((c) => c.status === 'DONE')
    .map((chapter) => {
      const end = start + chapterSpan(chapter);
      const mark = { chapter, title: chapter.title, start, end };
      start = end;
      return mark;
    });
}

/**
 * The book's cues in book time: each chapter's placed where the merge put the chapter (its
 * sound `leadSec` in); a chapter's last cue runs to the next chapter's start.
 */
export function timedBook(chapters: ChapterRow[]): TimedText[] {
  return chapterMarks(chapters).flatMap(({ chapter, start, end }) => {
    const timed = timedChapter(chapter, start + (chapter.leadSec ?? 0));
    const last = timed.at(-1);
    if (last) last.end = end;
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
    refuseCancelled(book);
    return book;
  }

  async function ofBook(principal: Principal, id: string) {
    const book = await readable(principal, id);
    requireReady(book);
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
