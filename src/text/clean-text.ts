/**
 * Characters no database column or speech engine should get: NUL (PostgreSQL
 * text refuses it), other C0/C1 controls but tab and newlines, noncharacters,
 * and lone surrogate halves (not encodable as UTF-8).
 */
// Built from a string: a regular expression literal may not hold control characters (lint).
const UNSPEAKABLE = new RegExp(
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFFFE\\uFFFF]' +
    '|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  'g',
);

export function stripUnspeakable(s: string): string {
  return s.replace(UNSPEAKABLE, '');
}

/** A value quoted in a message: at most `max` characters of it, so a refusal never echoes a flood. */
export function quote(value: string, max = 40): string {
  const clean = stripUnspeakable(value);
  return JSON.stringify(clean.length <= max ? clean : `${clean.slice(0, max)}…`);
}

/** A title as a file name: letters, digits, spaces, dots, dashes and underscores only. */
export const safeFileName = (name: string, fallback = 'audio') =>
  name.replace(/[^\p{L}\p{N} ._-]/gu, '').trim() || fallback;
