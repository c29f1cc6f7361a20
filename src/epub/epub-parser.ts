import type { Document } from 'domhandler';
import { countWords, excerptOf } from '../text/chapter-text.js';
import { setAsideBoilerplate } from './boilerplate.js';
import { titleChapters } from './chapter-titles.js';
import { chapterStarts, type Start } from './epub-chapters.js';
import { findCover } from './epub-cover.js';
import {
  DEFAULT_EPUB_LIMITS,
  EpubError,
  type EpubLimits,
  formatCount,
  someOf,
} from './epub-limits.js';
import { type EpubPackage, readPackage, type SpineItem } from './epub-package.js';
import { readingOrder } from './epub-reading-order.js';
import { extractText, isSpeakable, normalize, wordCount } from './epub-text.js';
import { readToc, type TocEntry } from './epub-toc.js';
import { type EpubZip, openEpubZip, readMarkup } from './epub-zip.js';
import {
  type Chapter,
  DEFAULT_READ_OPTIONS,
  type ParsedBook,
  type ReadOptions,
} from './parsed-book.js';
import { parseHtml, tagsBalanced } from './xml.js';

export async function parseEpubFile(
  filePath: string,
  limits: EpubLimits = DEFAULT_EPUB_LIMITS,
  read: ReadOptions = DEFAULT_READ_OPTIONS,
): Promise<ParsedBook> {
  const zip = await openEpubZip(filePath);
  try {
    return await parseEpub(zip, limits, read);
  } finally {
    zip.close();
  }
}

/**
 * Reads a whole book into chapters of speakable text. A book that cannot be
 * read completely, or passes one of `limits`, is refused with the reason (an
 * EpubError), rather than turned into a partial audiobook.
 */
export async function parseEpub(
  zip: EpubZip,
  limits: EpubLimits = DEFAULT_EPUB_LIMITS,
  read: ReadOptions = DEFAULT_READ_OPTIONS,
): Promise<ParsedBook> {
  const unsafe = zip.unsafeNames();
  if (unsafe.length > 0) {
    throw new EpubError(
      `the archive contains an entry that points outside its folder (${unsafe[0]}), as in zip-slip attacks; the book was refused`,
    );
  }
  const pkg = await readPackage(zip);
  checkSpine(pkg, limits);
  const toc = await readToc(zip, pkg);
  const entries = countEntries(toc);
  if (entries > limits.maxTocEntries) {
    throw new EpubError(
      `this book's table of contents has ${formatCount(entries)} entries; the limit is ${formatCount(limits.maxTocEntries)}`,
    );
  }
  const { order, notes: unread } = readingOrder(pkg);
  const missing = order.filter((s) => !zip.has(s.item.path)).map((s) => s.item.path);
  if (missing.length > 0) {
    throw new EpubError(
      `the book's reading order lists files missing from the archive: ${someOf(missing)}`,
    );
  }
  if (order.length === 0)
    throw new EpubError('the book has no readable content documents in its spine');
  const read1 = await readChapters(zip, toc, order, limits, read.altText);
  const all = titleChapters(read1.chapters, pkg.language);
  const { lenient } = read1;
  const set = read.keepBoilerplate ? { chapters: all, notes: [] } : setAsideBoilerplate(all);
  const chapters = set.chapters.map(({ path: _, ...c }) => ({
    ...c,
    words: countWords(c.text),
    excerpt: excerptOf(c.title, c.text),
  }));
  const { notes } = set;
  if (lenient.length > 0) {
    notes.unshift(
      `read leniently, not being well-formed XML (some text may be misplaced): ${lenient.join(', ')}`,
    );
  }
  if (chapters.every((c) => c.skipped)) throw new EpubError('the book has no speakable text');
  return {
    title: pkg.title,
    author: pkg.authors.length > 0 ? pkg.authors.join(', ') : null,
    language: pkg.language,
    chapters,
    cover: await findCover(zip, pkg),
    warnings: [...pkg.warnings, ...unread, ...notes],
  };
}

/** Where each chapter starts (chapter-rules), then each chapter's text up to the next one. */
async function readChapters(
  zip: EpubZip,
  toc: TocEntry[],
  order: SpineItem[],
  limits: EpubLimits,
  altText: boolean,
): Promise<{ chapters: Chapter[]; lenient: string[] }> {
  const reader = documentReader(zip, order, limits);
  const budget = textBudget(limits);
  const span = async (from: Start, to: Start | undefined) => {
    const read = await readSpan(from, to, order.length, reader.load, altText);
    budget.spend(read.text.length);
    return read;
  };
  const starts = await chapterStarts(toc, order, async (from, to) =>
    wordCount((await span(from, to)).text),
  );
  if (starts.length > limits.maxChapters) {
    throw new EpubError(
      `this book has ${formatCount(starts.length)} chapters; the limit is ${formatCount(limits.maxChapters)} (MAX_CHAPTERS)`,
    );
  }
  budget.reset();
  reader.clear();
  const chapters: Chapter[] = [];
  for (const [i, start] of starts.entries()) {
    // Content before the first TOC entry belongs to the first chapter, not to nobody.
    const from = i === 0 ? { ...start, pos: 0, fragment: null } : start;
    const { text, heading, omitted, pictures } = await span(from, starts[i + 1]);
    reader.release(starts[i + 1]?.pos ?? order.length);
    const n = i + 1;
    const skipped = isSpeakable(text) ? null : unreadReason(omitted, pictures, altText);
    const title = start.label || heading || `Chapter ${n}`;
    chapters.push({ n, title, text, skipped, path: start.path });
  }
  return { chapters, lenient: [...reader.lenient] };
}

/** Why a chapter with nothing to say is SKIPPED: its pictures, notes or navigation, or nothing. */
function unreadReason(omitted: boolean, pictures: number, altText: boolean): string {
  if (pictures > 0)
    return altText
      ? 'only pictures, with no alt text to read'
      : "only pictures (upload with altText=true to read their alt text, a manga's dialogue)";
  if (omitted) return 'only notes or navigation, which are not read aloud';
  return 'no speakable text';
}

/** A spine longer than any book, or one document listed over and over (a memory attack). */
function checkSpine(pkg: EpubPackage, limits: EpubLimits): void {
  if (pkg.spine.length > limits.maxSpineItems) {
    throw new EpubError(
      `the book's reading order has ${formatCount(pkg.spine.length)} entries; the limit is ${formatCount(limits.maxSpineItems)}`,
    );
  }
  const seen = new Map<string, number>();
  for (const { item } of pkg.spine) {
    const count = (seen.get(item.path) ?? 0) + 1;
    seen.set(item.path, count);
    if (count > limits.maxSpineRepeats) {
      const total = pkg.spine.filter((s) => s.item.path === item.path).length;
      throw new EpubError(
        `the book's reading order lists ${item.path} ${formatCount(total)} times; one document may appear at most ${limits.maxSpineRepeats} times`,
      );
    }
  }
}

function countEntries(toc: TocEntry[]): number {
  let count = 0;
  const stack = [...toc];
  for (let e = stack.pop(); e; e = stack.pop()) {
    count++;
    stack.push(...e.children);
  }
  return count;
}

/** Counts the characters read, and refuses a book whose text passes the limit. */
function textBudget(limits: EpubLimits) {
  let used = 0;
  return {
    spend(chars: number) {
      used += chars;
      if (used > limits.maxTextChars) {
        throw new EpubError(
          `this book has more than ${formatCount(limits.maxTextChars)} characters of text (about ${formatCount(Math.round(limits.maxTextChars / 60_000))} hours of speech), the limit; split it into volumes`,
        );
      }
    },
    reset: () => {
      used = 0;
    },
  };
}

/**
 * Parsed content documents by path (a document listed twice is parsed once).
 * Documents are read in order; asking for the next few meanwhile keeps the
 * disk busy. Those behind the reading position are let go.
 */
function documentReader(zip: EpubZip, order: SpineItem[], limits: EpubLimits) {
  const docs = new Map<string, Promise<Document>>();
  // XHTML documents that are not well-formed XML: read all the same, and named.
  const lenient = new Set<string>();
  const pathAt = (pos: number) => (order[pos] as SpineItem).item.path;
  const parsed = (text: string, item: SpineItem['item']) => {
    const doc = parseHtml(text, item.path);
    if (item.mediaType !== 'text/html' && !tagsBalanced(text)) lenient.add(item.path);
    return doc;
  };
  const fetch = (pos: number) => {
    const name = pathAt(pos);
    let doc = docs.get(name);
    if (!doc) {
      const { item } = order[pos] as SpineItem;
      doc = readMarkup(zip, name, limits.maxDocumentBytes).then((t) => parsed(t, item));
      doc.catch(() => {}); // a read-ahead's failure surfaces when that document is used
      docs.set(name, doc);
    }
    return doc;
  };
  // Where each document is last needed, so it can be let go once reading has passed it.
  const lastPos = new Map(order.map((s, pos) => [s.item.path, pos]));
  let releasedUpTo = 0;
  return {
    load(pos: number) {
      for (let next = pos + 1; next < Math.min(order.length, pos + 1 + READ_AHEAD); next++)
        fetch(next);
      return fetch(pos);
    },
    /** Forgets the documents that are not needed from `pos` on. */
    release(pos: number) {
      for (let p = releasedUpTo; p < pos; p++) {
        if ((lastPos.get(pathAt(p)) ?? 0) < pos) docs.delete(pathAt(p));
      }
      releasedUpTo = Math.max(releasedUpTo, pos);
    },
    lenient,
    /** Forgets everything (after the table of contents was weighed against the text). */
    clear() {
      docs.clear();
      releasedUpTo = 0;
    },
  };
}

/** Linear content documents, minus the navigation pages the book marks as such. */

/** Spine documents read ahead of the one being parsed. */
const READ_AHEAD = 8;

/** The text from one chapter start up to the next (or the end of the book). */
async function readSpan(
  from: Start,
  to: Start | undefined,
  total: number,
  load: (pos: number) => Promise<Document>,
  altText: boolean,
): Promise<{ text: string; heading: string | null; omitted: boolean; pictures: number }> {
  const texts: string[] = [];
  let heading: string | null = null;
  let omitted = false;
  let pictures = 0;
  const last = to ? (to.fragment ? to.pos : to.pos - 1) : total - 1;
  for (let pos = from.pos; pos <= last; pos++) {
    const part = extractText(await load(pos), {
      startId: pos === from.pos ? from.fragment : null,
      endId: to && pos === to.pos ? to.fragment : null,
      altText,
    });
    texts.push(part.text);
    heading ??= part.heading;
    omitted ||= part.omitted;
    pictures += part.pictures;
    if (part.ended) break;
  }
  return { text: normalize(texts.join('\n\n')), heading, omitted, pictures };
}
