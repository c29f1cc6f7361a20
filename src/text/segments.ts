import { NEVER_END_A_SENTENCE } from './abbreviations-en.js';
import { type QuoteMarks, quotedRuns } from './dialogue.js';
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

/** One synthesis request of a chapter's body. */
export interface Segment {
  text: string;
  /** Said in the dialogue voice: text inside quotation marks. */
  dialogue: boolean;
  /** Goes on the sentence the segment before began (a quotation within a sentence). */
  continues: boolean;
}

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
  return voicedSegments(text, max, unit).map((s) => s.text);
}

/** A paragraph's pieces: its sentences, or itself, each cut to `max`. */
function sentencePieces(paragraph: string, max: number, bySentence: boolean): string[] {
  return (bySentence ? paragraph.split(SENTENCE_END) : [paragraph]).flatMap((s) =>
    s.length <= max ? [s] : hardCut(s, max),
  );
}

interface Piece {
  text: string;
  /** What separated it from the piece before: a paragraph break or a space. */
  sep: string;
  dialogue: boolean;
  continues: boolean;
}

/**
 * A paragraph's pieces where what is quoted is read apart (`quotes` given): its sentences,
 * each cut where a quotation starts or ends; a cut within a sentence `continues` it.
 */
function quotedPieces(paragraph: string, runs: { start: number; end: number; quoted: boolean }[]) {
  const pieces: Piece[] = [];
  let at = 0;
  for (const sentence of paragraph.split(SENTENCE_END)) {
    const start = paragraph.indexOf(sentence, at);
    const end = start + sentence.length;
    at = end;
    let continues = false;
    for (const r of runs) {
      const text = paragraph.slice(Math.max(r.start, start), Math.min(r.end, end)).trim();
      if (r.end <= start || r.start >= end || !text) continue;
      pieces.push({ text, sep: ' ', dialogue: r.quoted, continues });
      continues = true;
    }
  }
  return pieces;
}

/**
 * splitSegments, with each segment saying whether it is dialogue: with `quotes`, text inside
 * quotation marks (dialogue.ts) is never in one request with text outside them.
 */
export function voicedSegments(
  text: string,
  max = MAX_SEGMENT_CHARS,
  unit: SegmentUnit = 'packed',
  quotes?: QuoteMarks,
): Segment[] {
  const paragraphs = text.split(/\n{2,}/);
  const runs = quotes ? quotedRuns(paragraphs, quotes) : [];
  const pieces = paragraphs.flatMap((paragraph, p) => {
    const quoted = runs[p]?.some((r) => r.quoted);
    const own: Piece[] = quoted
      ? quotedPieces(paragraph, runs[p] ?? []).flatMap((q) =>
          sentencePieces(q.text, max, false).map((t, k) => ({
            ...q,
            text: t,
            continues: q.continues || k > 0,
          })),
        )
      : sentencePieces(paragraph, max, unit === 'sentence' || paragraph.length > max).map((s) => ({
          text: s.trim(),
          sep: ' ',
          dialogue: false,
          continues: false,
        }));
    return own
      .filter((piece) => piece.text)
      .map((piece, i) => (i === 0 ? { ...piece, sep: '\n\n' } : piece));
  });
  const segments: Segment[] = [];
  let current: Segment | undefined;
  for (const piece of pieces) {
    if (BREAK_ORNAMENT.test(piece.text)) {
      // Only between two things said, and one for several in a row.
      if (current) segments.push(current, { text: SCENE_BREAK, dialogue: false, continues: false });
      current = undefined;
      continue;
    }
    const apart =
      unit === 'sentence' ||
      (unit === 'paragraph' && piece.sep !== ' ') ||
      piece.dialogue !== current?.dialogue;
    if (!current || apart || current.text.length + piece.sep.length + piece.text.length > max) {
      if (current) segments.push(current);
      current = { text: piece.text, dialogue: piece.dialogue, continues: piece.continues };
    } else {
      current.text += piece.sep + piece.text;
    }
  }
  if (current) segments.push(current);
  if (segments.at(-1)?.text === SCENE_BREAK) segments.pop();
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
