import { InvalidInputError } from '../errors.js';
import { stripUnspeakable } from './clean-text.js';

/** Word (or phrase) → what the engine is sent instead. */
export type Lexicon = Record<string, string>;

export const LEXICON_LIMITS = { entries: 1000, keyChars: 100, valueChars: 200 };

/**
 * A pronunciation lexicon as a person writes one: a JSON object `{"Tanaka": "Tah-nah-kah"}`,
 * or lines `word = replacement` (blank lines and `#` comments ignored). Checked whole:
 * a bad entry is refused with its line or key named.
 */
export function parseLexicon(raw: string): Lexicon {
  const text = raw.trim();
  if (text === '') return {};
  const entries = /^[{[]/.test(text) ? jsonEntries(text) : lineEntries(text);
  if (entries.length > LEXICON_LIMITS.entries) {
    throw new InvalidInputError(`a lexicon holds at most ${LEXICON_LIMITS.entries} entries`);
  }
  const lexicon: Lexicon = {};
  for (const [key, value] of entries) {
    // Control characters (NUL above all: PostgreSQL refuses it) are nothing anyone says.
    const word = stripUnspeakable(key).trim();
    const said = stripUnspeakable(value).trim();
    if (!/[\p{L}\p{N}]/u.test(word) || word.length > LEXICON_LIMITS.keyChars) {
      throw new InvalidInputError(
        `lexicon entry ${JSON.stringify(word.slice(0, 40))}: a word of 1 to ${LEXICON_LIMITS.keyChars} characters, with a letter or digit`,
      );
    }
    if (said.length > LEXICON_LIMITS.valueChars) {
      throw new InvalidInputError(
        `lexicon entry ${JSON.stringify(word.slice(0, 40))}: a replacement of at most ${LEXICON_LIMITS.valueChars} characters`,
      );
    }
    lexicon[word] = said;
  }
  return lexicon;
}

function jsonEntries(text: string): [string, string][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(
      'the lexicon is not valid JSON (or write it as lines: word = replacement)',
    );
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError('a JSON lexicon is an object of word → replacement');
  }
  return Object.entries(value).map(([k, v]) => {
    if (typeof v !== 'string')
      throw new InvalidInputError(
        `lexicon entry ${JSON.stringify(k)}: the replacement must be text`,
      );
    return [k, v];
  });
}

function lineEntries(text: string): [string, string][] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), at: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, at }) => {
      const eq = line.indexOf('=');
      if (eq <= 0)
        throw new InvalidInputError(`lexicon line ${at}: write it as word = replacement`);
      return [line.slice(0, eq), line.slice(eq + 1)];
    });
}

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole words only: not inside a longer word, in any script. */
const whole = (keys: string[], flags: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?:${keys.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, flags);

/**
 * Replaces each lexicon word in `text`, whole words only. A word written all in lower
 * case matches in any case ("tanaka" → Tanaka, TANAKA); one with a capital matches only
 * as written ("US", not "us"). Longer entries win over shorter ones they contain.
 */
export function applyLexicon(text: string, lexicon: Lexicon): string {
  const keys = Object.keys(lexicon).sort((a, b) => b.length - a.length);
  if (keys.length === 0) return text;
  const anyCase = new Map(keys.filter((k) => k === k.toLowerCase()).map((k) => [k, lexicon[k]]));
  // One pass, so a replacement is never replaced again; a capitalised entry that the
  // case-blind match found in another case is left as it was.
  return text.replace(whole(keys, 'giu'), (m) => lexicon[m] ?? anyCase.get(m.toLowerCase()) ?? m);
}
