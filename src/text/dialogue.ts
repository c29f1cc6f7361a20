import { primaryLanguage } from './speech-text.js';

/** Opening quotation marks and the mark that closes each, as a language writes them. */
export type QuoteMarks = ReadonlyMap<string, string>;

const marks = (pairs: string): QuoteMarks =>
  new Map(pairs.split(' ').map((pair) => [pair[0] as string, pair[1] as string]));

// Typewriter quotes ("…") serve in every language; then each family's own.
const ENGLISH = marks('"" “” ‘’');
const GUILLEMETS = marks('"" «» “” „“'); // fr, es, it, pt, ru…: «…», “…” within
const LOW_HIGH = marks('"" „“ ‚‘ »« «»'); // de, cs, sk…: „…“ or »…«
const LOW_RIGHT = marks('"" „” «»'); // pl, hu, ro, nl: „…”
const NORDIC = marks('"" ”” »»'); // sv, fi: ”…” or »…»
const DANISH = marks('"" »« „“');
const CJK = marks('"" 「」 『』 “”');

const BY_LANGUAGE: Record<string, QuoteMarks> = {
  ...Object.fromEntries(
    'fr es it pt ru uk be ca el no nb nn ar fa tr hy eu gl'.split(' ').map((l) => [l, GUILLEMETS]),
  ),
  ...Object.fromEntries('de cs sk sl lt et is ka bg'.split(' ').map((l) => [l, LOW_HIGH])),
  ...Object.fromEntries('pl hu ro nl hr sr bs'.split(' ').map((l) => [l, LOW_RIGHT])),
  sv: NORDIC,
  fi: NORDIC,
  da: DANISH,
  ja: CJK,
  zh: CJK,
  ko: CJK,
};

/** The quotation marks a book in `language` (BCP 47) uses; English's where it says none. */
export const quoteMarksOf = (language: string | null): QuoteMarks =>
  BY_LANGUAGE[primaryLanguage(language ?? 'en')] ?? ENGLISH;

/** A stretch of a paragraph, said (`quoted`: inside quotation marks, its marks included) or told. */
export interface Run {
  start: number;
  end: number;
  quoted: boolean;
}

// A mark opens a quotation at a word's start: after a space, a bracket, a dash or another
// mark; corner brackets anywhere (Japanese and Chinese put no space before them).
const OPENS_AFTER = /[\s\p{Ps}\p{Pd}\p{Pi}\p{Pf}:]/u;
const OPENS_ANYWHERE = new Set(['「', '『']);
const LETTER = /[\p{L}\p{N}]/u;

const opens = (text: string, i: number) =>
  i === 0 || OPENS_ANYWHERE.has(text[i] as string) || OPENS_AFTER.test(text[i - 1] as string);

/**
 * Whether the ’ at `i` is an apostrophe rather than a closing mark: inside a word (`don’t`),
 * or a plural's possessive (`the boys’ turn`) with a closing ’ still to come.
 */
function apostrophe(text: string, i: number): boolean {
  if (LETTER.test(text[i + 1] ?? '')) return true;
  if (text[i - 1] !== 's' || !/^\s\p{Ll}/u.test(text.slice(i + 1, i + 3))) return false;
  return /’(?![\p{L}\p{N}])/u.test(text.slice(i + 1));
}

/**
 * Each paragraph's runs of told and quoted text. A quotation may go on over paragraphs the
 * way books write it: the paragraph ends unclosed and the next opens with the same mark.
 * One left unclosed otherwise (a stray mark) is taken back: its text is told. An apostrophe
 * (`don’t`, `’tis`, `the boys’ turn`) neither opens nor closes one.
 */
export function quotedRuns(paragraphs: readonly string[], quotes: QuoteMarks): Run[][] {
  let open: string | undefined; // the opening mark of the quotation we are in
  return paragraphs.map((text, p) => {
    const runs: Run[] = [];
    const cut = (end: number, quoted: boolean) => {
      const start = runs.at(-1)?.end ?? 0;
      if (end > start) runs.push({ start, end, quoted });
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (open === undefined) {
        if (quotes.has(ch) && opens(text, i)) {
          cut(i, false);
          open = ch;
        }
      } else if (ch === quotes.get(open) && !(ch === '’' && apostrophe(text, i))) {
        // (A paragraph that goes on a quotation opens with its mark again: not a close.)
        if (!(i === 0 && runs.length === 0 && ch === open && p > 0)) {
          cut(i + 1, true);
          open = undefined;
        }
      }
    }
    if (open !== undefined && !(paragraphs[p + 1] ?? '').trimStart().startsWith(open)) {
      // Never closed and not carried on: the mark was no quotation's.
      open = undefined;
      cut(text.length, false);
      return merged(runs);
    }
    cut(text.length, open !== undefined);
    return merged(runs);
  });
}

/** Neighbouring runs of one kind as one. */
function merged(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    const last = out.at(-1);
    if (last && last.quoted === r.quoted) last.end = r.end;
    else out.push({ ...r });
  }
  return out;
}
