import { comparable, countWords, TITLE_JOIN } from '../text/chapter-text.js';
import { romanValue } from '../text/numbers-en.js';
import { primaryLanguage } from '../text/speech-text.js';
import type { Chapter } from './parsed-book.js';

/** Words that numbering alone: a chapter so titled says nothing of where it is. */
const NUMBERING_WORDS =
  'chapter|chap\\.?|book|part|volume|vol\\.?|section|canto|act|scene|stave|letter|chapitre|capítulo|capitulo|kapitel|livre|libro|teil|partie|parte';
const NUMERAL = '(?:[0-9]+|[ivxlcdm]+|[a-z])';
const BARE = new RegExp(`^(?:(?:${NUMBERING_WORDS})\\s+)?${NUMERAL}\\s*[.:)]?$`, 'iu');
/** "I. A SCANDAL IN BOHEMIA": a number before a name, dropped where the name tells enough. */
const NUMBERED_NAME = new RegExp(`^${NUMERAL}\\s*[.:)—–-]\\s+(?=\\p{L})`, 'iu');

/** A chapter whose text is its label and at most this many words more is only its heading. */
const HEADING_SLACK_WORDS = 4;
const HEADING_MAX_WORDS = 16;

/**
 * The chapters as a listener navigates them (the README's "Chapter rules"): an entry whose
 * own text is only its heading (a part or a book, with its chapters after it) is folded into
 * the next chapter, which reads that heading first, and its label goes before the labels of
 * the chapters that follow it at its level (a flat TOC's "BOOK TWO", then "CHAPTER I"…);
 * then every chapter is titled from its path (chapterTitles), numbered anew. Each keeps its
 * path (the printed-contents check compares lines with its own label).
 */
export function titleChapters(chapters: Chapter[], language: string): Chapter[] {
  const kept: Chapter[] = [];
  let heading: string | undefined;
  let section: { above: string[]; label: string } | undefined;
  for (const [i, c] of chapters.entries()) {
    const path = c.path ?? [c.title];
    const above = path.slice(0, -1);
    const own = path.at(-1) ?? '';
    if (section && !startsWith(above, section.above)) section = undefined;
    const inSection = section
      ? [...section.above, section.label, ...above.slice(section.above.length)]
      : above;
    const next = chapters[i + 1];
    // The headings folded so far are read first.
    const text = heading ? `${heading}\n\n${c.text}` : c.text;
    if (!c.skipped && next && !next.skipped && headingOnly(c.text, own)) {
      heading = text;
      section = { above, label: own };
      continue;
    }
    heading = undefined;
    kept.push({ ...c, text, path: [...inSection, own] });
  }
  const titles = chapterTitles(
    kept.map((c) => c.path ?? []),
    language,
  );
  return kept.map((c, i) => ({ ...c, n: i + 1, title: titles[i] || c.title }));
}

/** Its text says its label (maybe with a few words more, "BOOK TWO: 1805") and nothing else. */
function headingOnly(chapterText: string, ownLabel: string): boolean {
  const label = comparable(ownLabel);
  const text = comparable(chapterText);
  if (!label || !text.startsWith(label)) return false;
  const words = countWords(text);
  return words <= Math.min(HEADING_MAX_WORDS, countWords(label) + HEADING_SLACK_WORDS);
}

const startsWith = (list: string[], prefix: string[]) => prefix.every((p, i) => list[i] === p);

/** Only a number, a numeral or "Chapter n": it cannot tell one chapter from another. */
export const isBareLabel = (label: string) => BARE.test(label.trim());

/**
 * The title of each chapter from its TOC path (ancestors' labels, then its own; the README's
 * "Chapter rules"): its own label where that alone tells it apart, else with as many of its
 * ancestors' labels before it as it takes ("A Scandal in Bohemia — I"). A bare number never
 * stands alone while an ancestor can name it; titles left alike are numbered ("(2)"), so every
 * marker of a book is distinct. Labels in capitals are shown in title case where the book's
 * language has case. An empty path gives '' (the parser then takes the heading).
 */
export function chapterTitles(paths: string[][], language: string): string[] {
  const cased = paths.map((path) =>
    path.map((label) => titleCase(cleanLabel(label), language)).filter((l) => l.length > 0),
  );
  const depth: number[] = cased.map((path) => {
    const own = path[path.length - 1];
    return own && isBareLabel(own) && path.length > 1 ? 2 : 1;
  });
  const shown = (i: number) => shownPath(cased[i] as string[], depth[i] as number);
  // Lengthen the path of every title that another shares, while an ancestor is left to add.
  for (let changed = true; changed; ) {
    changed = false;
    const counts = countsOf(cased.map((_, i) => shown(i)));
    cased.forEach((path, i) => {
      if ((counts.get(shown(i).toLowerCase()) ?? 0) > 1 && (depth[i] as number) < path.length) {
        depth[i] = (depth[i] as number) + 1;
        changed = true;
      }
    });
  }
  return numberRepeats(cased.map((_, i) => shown(i)));
}

/** The last `depth` labels, each ancestor without its own leading number ("I. A Scandal…"). */
function shownPath(path: string[], depth: number): string {
  const labels = path.slice(-depth);
  return labels
    .map((label, i) => (i < labels.length - 1 ? label.replace(NUMBERED_NAME, '') : label))
    .join(TITLE_JOIN);
}

/** How many titles are alike, compared without case. */
function countsOf(titles: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of titles) counts.set(t.toLowerCase(), (counts.get(t.toLowerCase()) ?? 0) + 1);
  return counts;
}

/** "Chapter I", "Chapter I (2)": the last resort for titles nothing else tells apart. */
function numberRepeats(titles: string[]): string[] {
  const seen = new Map<string, number>();
  return titles.map((t) => {
    if (!t) return t;
    const key = t.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? t : `${t} (${n})`;
  });
}

/** Spaces folded; "I." and "IV:" without the punctuation that only ended the number. */
function cleanLabel(label: string): string {
  const flat = label.replace(/\s+/g, ' ').trim();
  return isBareLabel(flat) ? flat.replace(/\s*[.:)]$/, '') : flat;
}

/** Scripts whose letters have no case: their labels are shown as written. */
const CASELESS = /^(?:ja|zh|ko|ar|he|fa|th|hi|bn|ta|te|ur|am|ka)$/;

/** Words a title keeps in lower case, but first and last (English style guides agree on these). */
const SMALL = new Set(
  'a an the and but or nor for so yet as at by in of off on per to up via vs from into onto with over upon than'.split(
    ' ',
  ),
);

/**
 * A label in capitals ("THE STRANGE CASE OF DR. JEKYLL AND MR. HYDE") in title case ("The
 * Strange Case of Dr. Jekyll and Mr. Hyde"); Roman numerals stay numerals ("Chapter XIV").
 * Labels with lower-case letters are the author's own casing and are left alone.
 */
export function titleCase(label: string, language: string): string {
  const lang = primaryLanguage(language);
  if (CASELESS.test(lang) || !/\p{Lu}/u.test(label) || /\p{Ll}/u.test(label)) return label;
  const words = [...label.matchAll(/[\p{L}\p{N}'’]+\.?/gu)];
  let out = '';
  let at = 0;
  words.forEach((m, i) => {
    const before = label.slice(at, m.index);
    const previous = words[i - 1]?.[0] ?? '';
    // A word that starts the title, a subtitle or a numbered name ("190 A Four-Leaved Clover").
    const first =
      i === 0 ||
      /[:—–.!?"“‘(]/.test(before) ||
      /\.$/.test(previous) ||
      (i === 1 && /^\d+$/.test(previous));
    out += before + casedWord(m[0], first || i === words.length - 1, lang);
    at = (m.index ?? 0) + m[0].length;
  });
  return out + label.slice(at);
}

function casedWord(word: string, edge: boolean, lang: string): string {
  if (/^[IVXLCDM]+\.?$/.test(word) && romanValue(word.replace('.', '')) !== undefined) return word;
  const lower = word.toLowerCase();
  if (lang === 'en' && !edge && SMALL.has(lower.replace(/\.$/, ''))) return lower;
  return lower.replace(/\p{L}/u, (c) => c.toUpperCase());
}
