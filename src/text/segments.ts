import { NEVER_END_A_SENTENCE } from './abbreviations-en.js';
import { escapeRegExp } from './lexicon.js';

/**
 * A scene break, as the chapter texts store it (an `<hr>` becomes one) and as the segments
 * carry it: never sent to an engine, it is a pause of its own (see workers/chapter-encoder.ts).
 */
export const SCENE_BREAK = '⁂';

/** A paragraph that is only a break's ornament: "* * *", "***", "⁂", "~", "#", "♦ ♦ ♦"… */
const BREAK_ORNAMENT = /^(?:[*⁂•·~#\p{So}]\s*){1,9}$/u;

/** Upper bound on one synthesis request, so memory per request stays bounded. */
export const MAX_SEGMENT_CHARS = 6000;

const notAnEnd = NEVER_END_A_SENTENCE.map((w) => escapeRegExp(w)).join('|');

/**
 * Sentence ends in the scripts our books use (Latin, Arabic, CJK): not before a lower-case
 * letter ("Baker St. and"), nor after an abbreviation that never ends one ("Mr. Hyde").
 */
export const SENTENCE_END = new RegExp(
  `(?<=[.!?;:…。！？؟])(?<!(?:^|[\\s(])(?:${notAnEnd}))\\s+(?!\\p{Ll})|(?<=[。！？])`,
  'u',
);

/**
 * What one synthesis request holds, and so what the chapter's timings can tell apart
 * (TtsEngine.unit): a sentence, a paragraph (long ones cut at sentences), or as much as
 * fits in `max` characters (the fewest requests, for engines with a cost per request).
 */
export type SegmentUnit = 'sentence' | 'paragraph' | 'packed';

/**
 * Splits a chapter into synthesis segments at paragraph, then sentence
 * boundaries; only a single over-long sentence is cut mid-way (at a space if it has one).
 * A scene break is a segment of its own (SCENE_BREAK), between two others.
 */
export function splitSegments(
  text: string,
  max = MAX_SEGMENT_CHARS,
  unit: SegmentUnit = 'packed',
): string[] {
  const bySentence = (paragraph: string) => unit === 'sentence' || paragraph.length > max;
  // Each piece remembers what separated it from the one before: a paragraph break or a space.
  const pieces = text.split(/\n{2,}/).flatMap((paragraph) =>
    (bySentence(paragraph) ? paragraph.split(SENTENCE_END) : [paragraph])
      .flatMap((s) => (s.length <= max ? [s] : hardCut(s, max)))
      .map((s, i) => ({ text: s.trim(), sep: i === 0 ? '\n\n' : ' ' }))
      .filter((p) => p.text),
  );
  const segments: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (BREAK_ORNAMENT.test(piece.text)) {
      // Only between two things said, and one for several in a row.
      if (current) segments.push(current, SCENE_BREAK);
      current = '';
      continue;
    }
    const apart = unit === 'sentence' || (unit === 'paragraph' && piece.sep !== ' ');
    if (current && (apart || current.length + piece.sep.length + piece.text.length > max)) {
      segments.push(current);
      current = piece.text;
    } else {
      current = current ? current + piece.sep + piece.text : piece.text;
    }
  }
  if (current) segments.push(current);
  if (segments.at(-1) === SCENE_BREAK) segments.pop();
  return segments;
}

function hardCut(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max / 2 ? space : max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}
