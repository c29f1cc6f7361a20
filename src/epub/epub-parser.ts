import type { Document } from 'domhandler';
import { type EpubPackage, readPackage, type SpineItem } from './epub-package.js';
import { extractText, isSpeakable, normalize } from './epub-text.js';
import { readToc, type TocEntry } from './epub-toc.js';
import { decodeXml, EpubError, type EpubZip, openEpubZip } from './epub-zip.js';
import { parseHtml } from './xml.js';

export interface Chapter {
  n: number;
  title: string;
  text: string;
  /** Why the chapter is not read aloud (e.g. it has no speakable text), or null. */
  skipped: string | null;
}

export interface ParsedBook {
  title: string;
  author: string | null;
  language: string;
  chapters: Chapter[];
  warnings: string[];
}

const CONTENT_TYPES = new Set(['application/xhtml+xml', 'text/html', 'image/svg+xml']);

/** A chapter's start: a position in the reading order, optionally an element inside that document. */
interface Start {
  pos: number;
  fragment: string | null;
  label: string;
}

export async function parseEpubFile(filePath: string): Promise<ParsedBook> {
  const zip = await openEpubZip(filePath);
  try {
    return await parseEpub(zip);
  } finally {
    zip.close();
  }
}

export async function parseEpub(zip: EpubZip): Promise<ParsedBook> {
  const pkg = await readPackage(zip);
  const order = readingOrder(pkg);
  if (order.length === 0)
    throw new EpubError('the book has no readable content documents in its spine');
  const toc = chapterLevel(await readToc(zip, pkg));
  const starts = chapterStarts(toc, order);
  const docs = new Map<number, Promise<Document | Error>>();
  const load = (pos: number) => {
    let doc = docs.get(pos);
    if (!doc) {
      const item = order[pos]?.item;
      doc = item
        ? zip.read(item.path).then(
            (b) => parseHtml(decodeXml(b)),
            (e: Error) => e,
          )
        : Promise.resolve(new Error('no such document'));
      docs.set(pos, doc);
    }
    return doc;
  };
  const chapters: Chapter[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as Start;
    // Content before the first TOC entry belongs to the first chapter, not to nobody.
    const from = i === 0 ? { pos: 0, fragment: null, label: start.label } : start;
    const { text, heading, problems } = await readSpan(from, starts[i + 1], order.length, load);
    const n = i + 1;
    const title = start.label || heading || `Chapter ${n}`;
    let skipped: string | null = null;
    if (!isSpeakable(text)) {
      skipped =
        problems.length > 0
          ? `unreadable: ${problems.join('; ')}`
          : 'no speakable text (images only)';
    }
    pkg.warnings.push(...problems.map((p) => `chapter ${n}: ${p}`));
    chapters.push({ n, title, text, skipped });
  }
  if (chapters.every((c) => c.skipped)) {
    const why = chapters.find((c) => c.skipped?.startsWith('unreadable'))?.skipped;
    throw new EpubError(
      why ? `the book has no readable text (${why})` : 'the book has no speakable text',
    );
  }
  return {
    title: pkg.title,
    author: pkg.authors.length > 0 ? pkg.authors.join(', ') : null,
    language: pkg.language,
    chapters,
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

/**
 * The TOC level that becomes chapters: the top level, except that a lone
 * wrapper entry (the book's own title above everything) is looked through, and
 * label-only headings are replaced by what they group.
 */
function chapterLevel(toc: TocEntry[]): TocEntry[] {
  let level = toc.flatMap((e) => (e.path ? [e] : e.children));
  while (level.length === 1 && (level[0]?.children.length ?? 0) > 0) {
    level = (level[0] as TocEntry).children.flatMap((e) => (e.path ? [e] : e.children));
  }
  return level;
}

function chapterStarts(toc: TocEntry[], order: SpineItem[]): Start[] {
  const firstPos = new Map<string, number>();
  order.forEach((s, i) => {
    if (!firstPos.has(s.item.path)) firstPos.set(s.item.path, i);
  });
  const starts: Start[] = [];
  for (const entry of toc) {
    const pos = entry.path ? firstPos.get(entry.path) : undefined;
    if (pos === undefined) continue;
    const prev = starts[starts.length - 1];
    // Reading order wins over a TOC that jumps back; identical targets are one chapter.
    if (prev && (pos < prev.pos || (pos === prev.pos && entry.fragment === prev.fragment)))
      continue;
    starts.push({ pos, fragment: entry.fragment, label: entry.label });
  }
  if (starts.length > 0) return starts;
  return order.map((_, pos) => ({ pos, fragment: null, label: '' }));
}

async function readSpan(
  from: Start,
  to: Start | undefined,
  total: number,
  load: (pos: number) => Promise<Document | Error>,
): Promise<{ text: string; heading: string | null; problems: string[] }> {
  const parts: string[] = [];
  const problems: string[] = [];
  let heading: string | null = null;
  const last = to ? (to.fragment ? to.pos : to.pos - 1) : total - 1;
  for (let pos = from.pos; pos <= last; pos++) {
    const doc = await load(pos);
    if (doc instanceof Error) {
      problems.push(doc.message);
      continue;
    }
    const part = extractText(doc, {
      startId: pos === from.pos ? from.fragment : null,
      endId: to && pos === to.pos ? to.fragment : null,
    });
    parts.push(part.text);
    heading ??= part.heading;
    if (part.ended) break;
  }
  return { text: normalize(parts.join('\n\n')), heading, problems };
}
