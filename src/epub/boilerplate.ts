import { comparable } from '../text/chapter-text.js';
import { SCENE_BREAK } from '../text/segments.js';
import { isSpeakable, wordCount } from './epub-text.js';
import type { Chapter } from './parsed-book.js';

export const PG_HEADER = 'the Project Gutenberg header and licence notice, not part of the book';
export const PG_LICENCE = 'the Project Gutenberg licence, not part of the book';
export const PRINTED_CONTENTS =
  'a printed table of contents (the audiobook marks every chapter instead)';
export const TRANSCRIBER_NOTE = "a transcriber's note, not part of the book";

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
/** A transcriber's note: a chapter so titled or headed (a short one), or a first paragraph. */
const TRANSCRIBERS = /^\s*(?:original\s+)?transcriber['’]s\s+notes?\b/i;
/** Printed contents: at least this many lines in a row that name chapters. */
const CONTENTS_RUN = 5;

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
  setAsideFrontMatter(out, start >= 0, notes);
  const titles = titleCounts(out);
  for (const c of out) {
    if (!c.skipped && isPrintedContents(c, titles)) c.skipped = PRINTED_CONTENTS;
    else if (!c.skipped) cutPrintedContents(c, titles, notes);
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

/** A chapter's names as a printed contents page may list them: its title, and its TOC path's labels. */
const namesOf = (c: Chapter) =>
  [...new Set([c.title, ...(c.path ?? [])].map(comparable))].filter(Boolean);

/** How many chapters bear each name, compared as words (counted once for the whole book). */
function titleCounts(all: Chapter[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of all) {
    for (const name of namesOf(c)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/**
 * Most of its lines are the titles of other chapters: a contents page printed in the book.
 * (Titles are counted once: comparing each chapter with every other took 19 s for 8000.)
 */
function isPrintedContents(c: Chapter, titles: Map<string, number>): boolean {
  const own = namesOf(c);
  const lines = c.text
    .split(/\n+/)
    .map(comparable)
    .filter((l) => l.length > 0);
  const isOther = (l: string) => (titles.get(l) ?? 0) > (own.includes(l) ? 1 : 0);
  const listed = lines.filter(isOther).length;
  return listed >= 5 && listed >= lines.length * 0.5;
}

/**
 * What a transcriber or the volunteers added before the book: a chapter that is a
 * transcriber's note, and (where the header had no start fence to cut at) the credit
 * ("Produced by …") or a transcriber's note opening the first chapter read.
 */
function setAsideFrontMatter(chapters: Chapter[], fenced: boolean, notes: string[]): void {
  for (const c of chapters) {
    const [heading = ''] = c.text.split('\n\n', 1);
    const note =
      TRANSCRIBERS.test(c.title) || (TRANSCRIBERS.test(heading) && wordCount(c.text) < 300);
    if (!c.skipped && note) c.skipped = TRANSCRIBER_NOTE;
  }
  const first = chapters.find((c) => !c.skipped);
  if (!first) return;
  const [opening = '', ...rest] = first.text.split('\n\n');
  if (!fenced && PRODUCED_BY.test(opening))
    trim(
      first,
      first.text.replace(PRODUCED_BY, '').trim(),
      PG_HEADER,
      notes,
      "the volunteers' credit",
    );
  else if (TRANSCRIBERS.test(opening))
    trim(first, rest.join('\n\n'), TRANSCRIBER_NOTE, notes, "a transcriber's note");
}

/**
 * A printed contents page inside a chapter (War and Peace's first document holds the title,
 * then "CONTENTS", "BOOK ONE: 1805", "CHAPTER I"…): every run of CONTENTS_RUN or more
 * paragraphs that name chapters is cut, with the "Contents" heading before it.
 */
function cutPrintedContents(c: Chapter, names: Map<string, number>, notes: string[]): void {
  const paragraphs = c.text.split('\n\n');
  const named = paragraphs.map((p) => names.has(comparable(p)));
  const keep = paragraphs.map(() => true);
  for (let i = 0; i < paragraphs.length; ) {
    let end = i;
    while (end < paragraphs.length && named[end]) end++;
    if (end - i >= CONTENTS_RUN) {
      const from =
        i > 0 && /^\s*(?:table of )?contents\.?\s*$/i.test(paragraphs[i - 1] ?? '') ? i - 1 : i;
      for (let k = from; k < end; k++) keep[k] = false;
    }
    i = Math.max(end, i + 1);
  }
  if (keep.every(Boolean)) return;
  trim(
    c,
    paragraphs.filter((_, i) => keep[i]).join('\n\n'),
    PRINTED_CONTENTS,
    notes,
    'a printed table of contents in it',
  );
}
