import type { Document } from 'domhandler';
import { chapterStarts, type Start } from './epub-chapters.js';
import { findCover } from './epub-cover.js';
import { type EpubPackage, readPackage, type SpineItem } from './epub-package.js';
import { extractText, isSpeakable, normalize, wordCount } from './epub-text.js';
import { readToc } from './epub-toc.js';
import { EpubError, type EpubZip, openEpubZip, readMarkup } from './epub-zip.js';
import { parseHtml } from './xml.js';

export interface Chapter {
  n: number;
  title: string;
  text: string;
  /** Why the chapter is not read aloud (it has no speakable text), or null. */
  skipped: string | null;
}

export interface ParsedBook {
  title: string;
  author: string | null;
  language: string;
  chapters: Chapter[];
  cover: { bytes: Buffer; mediaType: string } | null;
  warnings: string[];
}

const CONTENT_TYPES = new Set(['application/xhtml+xml', 'text/html', 'image/svg+xml']);

export async function parseEpubFile(filePath: string): Promise<ParsedBook> {
  const zip = await openEpubZip(filePath);
  try {
    return await parseEpub(zip);
  } finally {
    zip.close();
  }
}

/**
 * Reads a whole book into chapters of speakable text. A book that cannot be
 * read completely is refused with the reason (an EpubError), rather than
 * turned into a partial audiobook.
 */
export async function parseEpub(zip: EpubZip): Promise<ParsedBook> {
  const unsafe = zip.unsafeNames();
  if (unsafe.length > 0) {
    throw new EpubError(
      `the archive contains an entry that points outside its folder (${unsafe[0]}), as in zip-slip attacks; the book was refused`,
    );
  }
  const pkg = await readPackage(zip);
  const toc = await readToc(zip, pkg);
  const order = readingOrder(pkg);
  const missing = order.filter((s) => !zip.has(s.item.path)).map((s) => s.item.path);
  if (missing.length > 0) {
    throw new EpubError(
      `the book's reading order lists files missing from the archive: ${missing.join(', ')}`,
    );
  }
  if (order.length === 0)
    throw new EpubError('the book has no readable content documents in its spine');

  const docs = new Map<number, Promise<Document>>();
  const fetch = (pos: number) => {
    let doc = docs.get(pos);
    if (!doc) {
      doc = readMarkup(zip, (order[pos] as SpineItem).item.path).then(parseHtml);
      doc.catch(() => {}); // a read-ahead's failure surfaces when that document is used
      docs.set(pos, doc);
    }
    return doc;
  };
  // Documents are read in order; asking for the next few meanwhile keeps the disk busy
  // (a 1000-chapter book otherwise waits on 1000 reads one after another).
  const load = (pos: number) => {
    for (let next = pos + 1; next < Math.min(order.length, pos + 1 + READ_AHEAD); next++)
      fetch(next);
    return fetch(pos);
  };
  const span = (from: Start, to: Start | undefined) => readSpan(from, to, order.length, load);
  const starts = await chapterStarts(toc, order, async (from, to) =>
    wordCount((await span(from, to)).text),
  );

  const chapters: Chapter[] = [];
  for (const [i, start] of starts.entries()) {
    // Content before the first TOC entry belongs to the first chapter, not to nobody.
    const from = i === 0 ? { ...start, pos: 0, fragment: null } : start;
    const { text, heading, omitted } = await span(from, starts[i + 1]);
    const n = i + 1;
    let skipped: string | null = null;
    if (!isSpeakable(text)) {
      skipped = omitted
        ? 'only notes or navigation, which are not read aloud'
        : 'no speakable text (images only)';
    }
    chapters.push({ n, title: start.label || heading || `Chapter ${n}`, text, skipped });
  }
  if (chapters.every((c) => c.skipped)) throw new EpubError('the book has no speakable text');
  return {
    title: pkg.title,
    author: pkg.authors.length > 0 ? pkg.authors.join(', ') : null,
    language: pkg.language,
    chapters,
    cover: await findCover(zip, pkg),
    warnings: pkg.warnings,
  };
}

/** Linear content documents, minus the navigation pages the book marks as such. */
function readingOrder(pkg: EpubPackage): SpineItem[] {
  return pkg.spine.filter(
    (s) =>
      s.linear &&
      CONTENT_TYPES.has(s.item.mediaType) &&
      s.item.path !== pkg.navPath &&
      !pkg.navigationPaths.has(s.item.path),
  );
}

/** The text from one chapter start up to the next (or the end of the book). */
/** Spine documents read ahead of the one being parsed. */
const READ_AHEAD = 8;

async function readSpan(
  from: Start,
  to: Start | undefined,
  total: number,
  load: (pos: number) => Promise<Document>,
): Promise<{ text: string; heading: string | null; omitted: boolean }> {
  const parts: string[] = [];
  let heading: string | null = null;
  let omitted = false;
  const last = to ? (to.fragment ? to.pos : to.pos - 1) : total - 1;
  for (let pos = from.pos; pos <= last; pos++) {
    const part = extractText(await load(pos), {
      startId: pos === from.pos ? from.fragment : null,
      endId: to && pos === to.pos ? to.fragment : null,
    });
    parts.push(part.text);
    heading ??= part.heading;
    omitted ||= part.omitted;
    if (part.ended) break;
  }
  return { text: normalize(parts.join('\n\n')), heading, omitted };
}
