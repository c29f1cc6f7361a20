import type { Readable } from 'node:stream';
import type { QuoteMarks } from './dialogue.js';
import type { Lexicon } from './lexicon.js';
import { SCENE_BREAK, SENTENCE_END, type SegmentUnit, voicedSegments } from './segments.js';
import { sentencesOf } from './sentences.js';
import { normalizeForSpeech, segmentForEngine } from './speech-text.js';

/**
 * A book's chapter texts as one object, each chapter a byte range of it: a
 * 1000-chapter book makes one storage write, not 1000.
 */
export function packTexts(chapters: { n: number; text: string }[]) {
  const ranges = new Map<number, { start: number; end: number }>();
  const parts: Buffer[] = [];
  let offset = 0;
  for (const c of chapters) {
    const bytes = Buffer.from(c.text);
    ranges.set(c.n, { start: offset, end: offset + bytes.length });
    parts.push(bytes);
    offset += bytes.length;
  }
  return { texts: Buffer.concat(parts), ranges };
}

/** One chapter's text, read back from its range of the packed object. */
export async function readChapterText(
  read: (range: { start: number; end: number }) => Promise<Readable>,
  range: { start: number | null; end: number | null },
): Promise<string | null> {
  const { start, end } = range;
  if (start == null || end == null) return null;
  if (end <= start) return '';
  const chunks: Buffer[] = [];
  for await (const c of await read({ start, end: end - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Runs of scripts written without spaces between words.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]+/gu;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/**
 * Words as a listener hears them; text written without spaces counts two characters a word.
 * Counted without collecting the matches: an array of a 17-million-character book's
 * characters took 7 s and a gigabyte.
 */
export function countWords(text: string): number {
  let unspaced = 0;
  const spaced = text.replace(UNSPACED, (run) => {
    unspaced += run.length;
    return ' ';
  });
  let words = 0;
  for (WORD.lastIndex = 0; WORD.exec(spaced); ) words++;
  return words + Math.ceil(unspaced / 2);
}

/** The opening of a chapter's body (its heading left out), cut at a word, so a reviewer knows it. */
export function excerptOf(title: string, text: string, maxChars = 160): string {
  // Its opening is enough (the heading, then the first words): not the whole chapter.
  const flat = splitTitle(title, text.slice(0, 100 * maxChars))
    .body.split(SCENE_BREAK)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= maxChars) return flat;
  const cut = flat.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/** Words only, in lower case: how titles and lines are compared. */
export const comparable = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** Between the labels of a chapter's title, outer first ("Book Two: 1805 — Chapter I"). */
export const TITLE_JOIN = ' — ';

/**
 * The title is spoken on its own, then a pause. Most chapters open with their heading, or
 * the headings of their title's labels ("BOOK TWO: 1805", "CHAPTER I"; the last labels of it
 * where the chapter does not open its part): those are the title, and not read twice. A
 * heading that is the whole title is said as written, unless in capitals: then, and for a
 * title of several labels, the title is said as the book titles it.
 */
export function splitTitle(title: string, text: string): { title: string; body: string } {
  const labels = title.split(TITLE_JOIN).map(comparable);
  const paragraphs = text.split('\n\n');
  // "I. A SCANDAL IN BOHEMIA" says "A Scandal in Bohemia": a short number may go before a name.
  const says = (paragraph: string, label: string) => {
    const written = comparable(paragraph);
    if (written === label) return true;
    const numbered = written.endsWith(` ${label}`) && written.length - label.length <= 8;
    return label.includes(' ') && numbered;
  };
  for (let k = labels.length; k > 0; k--) {
    const last = labels.slice(-k);
    if (!last.every((label, i) => label && says(paragraphs[i] ?? '', label))) continue;
    const body = paragraphs.slice(k).join('\n\n');
    // The book's own heading is said as written ("Minerals.") unless set in capitals.
    const own = paragraphs[0] ?? '';
    const asWritten = labels.length === 1 && /\p{Ll}/u.test(own);
    return { title: asWritten ? own : title, body };
  }
  return { title, body: text };
}

/** A chapter as it is spoken: the requests, and the book's own text each one says. */
export interface ChapterSpeech {
  /** What each request sends the engine, in order; SCENE_BREAK is a pause, sent to none. */
  segments: string[];
  /**
   * For each segment, the text it says as the book writes it (for subtitles and read-along);
   * '' where a segment goes on saying the one before (a text too long for one request).
   */
  shown: string[];
  /** For each segment, whether the dialogue voice says it (text inside quotation marks). */
  dialogue: boolean[];
  /** For each segment, whether it goes on the sentence the one before began (cuesOf joins them). */
  continues: boolean[];
}

/**
 * What a chapter's job sends to the engine, in order: its title, then its body in segments
 * of `unit` (SCENE_BREAK between scenes), each normalized for the book's language with the
 * lexicon applied; one that grew past `maxChars` in doing so is sent in pieces. With
 * `quotes` (a dialogue voice), what is inside those quotation marks is a segment of its own.
 */
export function chapterSegments(
  title: string,
  text: string,
  maxChars: number,
  book: { language: string | null; lexicon: Lexicon },
  unit: SegmentUnit = 'packed',
  quotes?: QuoteMarks,
): ChapterSpeech {
  const split = splitTitle(title, text);
  const speech: ChapterSpeech = { segments: [], shown: [], dialogue: [], continues: [] };
  const heading = { text: split.title, dialogue: false, continues: false };
  [heading, ...voicedSegments(split.body, maxChars, unit, quotes)].forEach((written, i) => {
    const said =
      written.text === SCENE_BREAK
        ? [SCENE_BREAK]
        : voicedSegments(
            segmentForEngine(
              normalizeForSpeech(written.text, book.language, i === 0),
              book.lexicon,
            ),
            maxChars,
          ).map((s) => s.text);
    said.forEach((piece, k) => {
      speech.segments.push(piece);
      speech.shown.push(k === 0 ? written.text : '');
      speech.dialogue.push(written.dialogue);
      speech.continues.push(k === 0 && written.continues);
    });
  });
  return speech;
}

/**
 * A chapter's opening as a preview says it: its title, then whole sentences of what follows
 * up to about `words` words. A sentence that does not fit gives what fits of its clauses (a
 * long first sentence is cut where a comma, a semicolon or a dash lets it), so a preview
 * always has text after the title; only a first clause too long is cut at a word.
 */
export function openingOf(segments: string[], words: number): string[] {
  const [title = '', ...rest] = segments;
  const sentences = rest
    .filter((s) => s !== SCENE_BREAK)
    .join(' ')
    .split(SENTENCE_END);
  let body = '';
  for (const sentence of sentences) {
    const next = body ? `${body} ${sentence}` : sentence;
    if (countWords(next) <= words) {
      body = next;
      continue;
    }
    // Enough said already: stop at a sentence's end. Too little: what fits of this one.
    if (countWords(body) >= words / 2) break;
    const clauses = clausesOf(sentence, words - countWords(body), !body);
    if (clauses) body = body ? `${body} ${clauses}` : clauses;
    break;
  }
  return [title, body].filter((s) => s);
}

/**
 * The leading clauses of a sentence that fit in `room` words, then "…"; with `cut`, at least
 * the first clause's first words. '' when nothing fits.
 */
function clausesOf(sentence: string, room: number, cut: boolean): string {
  let taken = '';
  for (const clause of sentence.split(/(?<=[,;:—–])\s+/)) {
    const next = taken ? `${taken} ${clause}` : clause;
    if (countWords(next) > room) break;
    taken = next;
  }
  if (!taken && cut) taken = sentence.split(/\s+/).slice(0, room).join(' ');
  return taken && `${taken.replace(/[\s,;:—–]+$/, '')}…`;
}

/** Where a text of the book starts in a chapter's audio (seconds); it runs to the next one. */
export interface Cue {
  start: number;
  text: string;
}

/**
 * The cues of a chapter: each text shown, at the start of its first segment (encodeChapter);
 * a text of several sentences, one cue a sentence where `within[i]` says where each of the
 * segment's sentences starts (audio/pauses.ts sentenceStarts), measured in that segment's audio.
 * A segment that goes on a sentence (a quotation within it) adds its first sentence's text
 * to the cue of the one before: a sentence is one cue, from where its first word is said.
 */
export function cuesOf(speech: ChapterSpeech, starts: number[], within: number[][] = []): Cue[] {
  const cues: Cue[] = [];
  const at = (seconds: number) => Math.round(seconds * 1000) / 1000;
  speech.shown.forEach((text, i) => {
    if (!text || text === SCENE_BREAK) return;
    const start = starts[i] ?? 0;
    const sentences = sentencesOf(text);
    const offsets = within[i];
    const own =
      offsets && sentences.length > 1 && offsets.length === sentences.length
        ? sentences.map((s, k) => ({ start: at(start + (offsets[k] as number)), text: s }))
        : [{ start: at(start), text }];
    const last = cues.at(-1);
    if (speech.continues[i] && last) last.text += ` ${(own.shift() as Cue).text}`;
    cues.push(...own);
  });
  return cues;
}
