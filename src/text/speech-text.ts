import { applyLexicon, type Lexicon } from './lexicon.js';
import { ENGLISH_RULES, englishHeading } from './normalize-en.js';

/** Emoji, dingbats and private-use glyphs: no engine says them, some choke on them. */
const NO_ENGINE_SPEAKS = /\s*[\p{So}\p{Co}]+/gu;

/** A language tag's primary subtag, lower case: `en-GB` → `en`. */
export const primaryLanguage = (language: string) =>
  (language.toLowerCase().split(/[-_]/)[0] ?? '').replace(/[^a-z]/g, '');

/** Whether the book's language (BCP 47, from its OPF) takes the English rules. */
export const isEnglish = (language: string | null | undefined) =>
  /^en(?:-|$)/i.test(language ?? '');

/**
 * Text as a listener expects it read, by the book's language: English gets numbers,
 * dates, money, abbreviations, Roman numerals and symbols written out (normalize-en.ts);
 * other languages pass through unchanged rather than be mangled by English rules.
 * `heading`: a chapter title, whose leading Roman number is said as a number.
 */
export function normalizeForSpeech(text: string, language: string | null, heading = false) {
  if (!isEnglish(language)) return text;
  let out = heading ? englishHeading(text) : text;
  for (const [pattern, say] of ENGLISH_RULES) out = out.replace(pattern, say);
  return out.replace(/[ \t]{2,}/g, ' ');
}

/** What an engine is sent of one segment: no unspeakable glyph, the lexicon applied last. */
export const segmentForEngine = (segment: string, lexicon: Lexicon) =>
  applyLexicon(segment.replace(NO_ENGINE_SPEAKS, ''), lexicon).trim();
