import type { SpineItem } from './epub-package.js';
import type { TocEntry } from './epub-toc.js';

/** A chapter's start: a position in the reading order, optionally an element inside that document. */
export interface Start {
  pos: number;
  fragment: string | null;
  label: string;
  /** The labels of the entries it was opened up from (a book, a part), then its own. */
  path: string[];
}

/** An entry whose own text, before its first sub-entry, is shorter than this only groups others. */
export const WRAPPER_MAX_WORDS = 100;

/**
 * Which TOC entries become chapters (the README's "Chapter rules"):
 * - the top-level entries, in reading order;
 * - an entry that only groups others (a part, a book title: under
 *   WRAPPER_MAX_WORDS words of its own) is replaced by its sub-entries, the
 *   first of which starts where the group starts;
 * - a lone top-level entry is always opened up, keeping its own text as a chapter;
 * - deeper entries of a real chapter are never split out (a 7-level spec keeps its sections);
 * - entries without a target, or pointing outside the reading order, give way to their sub-entries.
 * Each start keeps its TOC path, from which its title is made (chapter-titles.ts).
 * A book without a usable TOC gets one chapter per reading-order document.
 */
export async function chapterStarts(
  toc: TocEntry[],
  order: SpineItem[],
  wordsBetween: (from: Start, to: Start) => Promise<number>,
): Promise<Start[]> {
  const firstPos = new Map<string, number>();
  order.forEach((s, i) => {
    for (const path of [s.item.path, ...(s.aliases ?? [])]) {
      if (!firstPos.has(path)) firstPos.set(path, i);
    }
  });
  const resolve = (e: TocEntry): Start | null => {
    const pos = e.path ? firstPos.get(e.path) : undefined;
    return pos === undefined ? null : { pos, fragment: e.fragment, label: e.label, path: [] };
  };

  const level = async (entries: TocEntry[], top: boolean, above: string[]): Promise<Start[]> => {
    const out: Start[] = [];
    for (const entry of entries) {
      const resolved = resolve(entry);
      const start = resolved && { ...resolved, path: [...above, entry.label] };
      const opened = entry.label ? [...above, entry.label] : above;
      if (!start) {
        out.push(...(await level(entry.children, false, opened)));
        continue;
      }
      const firstChild = firstResolvable(entry.children, resolve);
      if (!firstChild) {
        out.push(start);
        continue;
      }
      const lone = top && entries.length === 1;
      const wrapper = (await wordsBetween(start, firstChild)) < WRAPPER_MAX_WORDS;
      if (!wrapper && !lone) {
        out.push(start);
        continue;
      }
      const kids = await level(entry.children, false, opened);
      const [first, ...rest] = kids;
      if (wrapper && first)
        out.push({ ...first, pos: start.pos, fragment: start.fragment }, ...rest);
      else out.push(start, ...kids);
    }
    return out;
  };

  const starts: Start[] = [];
  for (const s of await level(toc, true, [])) {
    const prev = starts[starts.length - 1];
    // Reading order wins over a TOC that jumps back; identical targets are one chapter.
    if (prev && (s.pos < prev.pos || (s.pos === prev.pos && s.fragment === prev.fragment)))
      continue;
    starts.push(s);
  }
  if (starts.length > 0) return starts;
  return order.map((_, pos) => ({ pos, fragment: null, label: '', path: [] }));
}

function firstResolvable(
  entries: TocEntry[],
  resolve: (e: TocEntry) => Start | null,
): Start | null {
  for (const e of entries) {
    const s = resolve(e) ?? firstResolvable(e.children, resolve);
    if (s) return s;
  }
  return null;
}
