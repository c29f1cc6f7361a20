import { comparable } from '../text/chapter-text.js';
import { SCENE_BREAK } from '../text/segments.js';
import { isSpeakable, wordCount } from './epub-text.js';
import type { Chapter } from './parsed-book.js';

export const PG_HEADER = 'the Project Gutenberg header and licence notice, not part of the book';
export const PG_LICENCE = 'the Project Gutenberg licence, not part of the book';
export const PRINTED_CONTENTS =
  'a printed table of contents (the audiobook marks every chapter instead)';

/** Project Gutenberg's fences around the book, as its files have spelled them over the years. */
const PG_START = /\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^*\n]*\*{3}/i;
const PG_END_FENCE = /\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^*\n]*\*{3}/i;
const PG_END = new RegExp(
  `${PG_END_FENCE.source}|End of (?:the )?Project Gutenberg(?:'s)? E-?Book`,
  'i',
);
const EDGE_BREAKS = new RegExp(`^(?:\\s*${SCENE_BREAK})+\\s*|\\s*(?:${SCENE_BREAK}\\s*)+$`, 'gu');
/** The volunteers' credit that follows the start fence ("Produced by … pgdp.net"). */
const PRODUCED_BY = /^\s*Produced by[^\n]*(?:\n+[^\n]*(?:Proofreading|pgdp|http)[^\n]*)?/i;

/**
 * Sets aside what a listener does not expect read: Project Gutenberg's header (up to its
 * `*** START OF …` line) and licence (from `End of the Project Gutenberg EBook` or its
 * `*** END OF …` line), whole chapters or the part of one; and a printed contents page (a
 * chapter most of whose lines are other chapters' titles). Answers the chapters and what
 * was cut from chapters still read, for the book's list of what is left out.
 */
export function setAsideBoilerplate(chapters: Chapter[]): { chapters: Chapter[]; notes: string[] } {
  const notes: string[] = [];
  const out = chapters.map((c) => ({ ...c }));
  const start = out.findIndex((c) => !c.skipped && PG_START.test(c.text));
  if (start >= 0) {
    for (const c of out.slice(0, start)) c.skipped ??= PG_HEADER;
    const c = out[start] as Chapter;
    const fence = c.text.match(PG_START) as RegExpMatchArray;
    const after = c.text.slice((fence.index ?? 0) + fence[0].length).replace(PRODUCED_BY, '');
    trim(c, after.trim(), PG_HEADER, notes, 'the Project Gutenberg header before it');
  }
  // Without a START fence only the END fence counts: a book may quote the bare phrase.
  const endMark = start >= 0 ? PG_END : PG_END_FENCE;
  const end = out.findIndex(
    (c, i) => i >= Math.max(start, 0) && !c.skipped && endMark.test(c.text),
  );
  if (end >= 0) {
    for (const c of out.slice(end + 1)) c.skipped ??= PG_LICENCE;
    const c = out[end] as Chapter;
    const before = c.text.slice(0, c.text.search(endMark)).trim();
    trim(c, before, PG_LICENCE, notes, 'the Project Gutenberg licence after it');
  }
  const titles = titleCounts(out);
  for (const c of out) {
    if (!c.skipped && isPrintedContents(c, titles)) c.skipped = PRINTED_CONTENTS;
  }
  return { chapters: out, notes };
}

/** Keeps `rest` of a chapter, or sets the whole chapter aside when what is left is more of the same. */
function trim(c: Chapter, cut: string, reason: string, notes: string[], what: string): void {
  // A rule (`<hr>`) that fenced the boilerplate off is no scene break once it is gone.
  const rest = cut.replace(EDGE_BREAKS, '');
  const leftover = !isSpeakable(rest) || (/Project Gutenberg/i.test(rest) && wordCount(rest) < 50);
  if (leftover) {
    c.skipped = reason;
    return;
  }
  c.text = rest;
  notes.push(`chapter ${c.n} (${c.title}): ${what} is not read`);
}

/** How many chapters bear each title, compared as words (counted once for the whole book). */
function titleCounts(all: Chapter[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of all) {
    const title = comparable(c.title);
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  return counts;
}

/**
 * Most of its lines are the titles of other chapters: a contents page printed in the book.
 * (Titles are counted once: comparing each chapter with every other took 19 s for 8000.)
 */
function isPrintedContents(c: Chapter, titles: Map<string, number>): boolean {
  const own = comparable(c.title);
  const lines = c.text
    .split(/\n+/)
    .map(comparable)
    .filter((l) => l.length > 0);
  const isOther = (l: string) => (titles.get(l) ?? 0) > (l === own ? 1 : 0);
  const listed = lines.filter(isOther).length;
  return listed >= 5 && listed >= lines.length * 0.5;
}
