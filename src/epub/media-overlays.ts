import { sentencesOf } from '../text/sentences.js';
import type { TimedText } from '../text/subtitle-format.js';
import type { Placed } from './overlay-align.js';
import { comparableKey } from './overlay-text.js';

/** A chapter as the read-along plays it: its audio in the package, and its cues in its own time. */
export interface OverlayChapter {
  /** The audio file's path in the package. */
  audio: string;
  durationSec: number;
  cues: TimedText[];
}

/** A sentence of a chapter and when it is heard in that chapter's audio. */
export interface Piece {
  chapter: number;
  text: string;
  begin: number;
  end: number;
}

/**
 * The sentences of each chapter with their times. A cue that is one sentence keeps the times
 * measured for it; a cue that holds several (an engine that is sent a paragraph or more at a
 * time, TtsEngine.unit) shares its time among them by their number of letters.
 */
export function piecesOf(chapters: OverlayChapter[]): Piece[] {
  return chapters.flatMap((chapter, c) =>
    chapter.cues.flatMap((cue) => {
      const sentences = sentencesOf(cue.text);
      const weights = sentences.map((s) => Math.max(1, comparableKey(s).length));
      const total = weights.reduce((x, y) => x + y, 0);
      let at = cue.start;
      return sentences.map((text, i) => {
        const begin = at;
        at += ((cue.end - cue.start) * (weights[i] as number)) / total;
        return { chapter: c, text, begin, end: at };
      });
    }),
  );
}

/** A placed sentence and the stretch of its chapter's audio that plays with it. */
export interface Clip extends Placed {
  audio: string;
  begin: number;
  end: number;
}

/**
 * The clip of each placed sentence. No sound is lost to a sentence that could not be placed:
 * it plays with the placed one before it, and a chapter's first placed sentence starts
 * with the chapter's audio (its title may be written differently, or not at all).
 */
export function clipsOf(placed: Placed[], pieces: Piece[], chapters: OverlayChapter[]): Clip[] {
  return placed.map((p, i) => {
    const piece = pieces[p.piece] as Piece;
    const chapter = chapters[piece.chapter] as OverlayChapter;
    const previous = placed[i - 1];
    const next = placed[i + 1];
    const firstOfChapter = !previous || pieces[previous.piece]?.chapter !== piece.chapter;
    const nextPiece = next && pieces[next.piece];
    const end = nextPiece?.chapter === piece.chapter ? nextPiece.begin : chapter.durationSec;
    return { ...p, audio: chapter.audio, begin: firstOfChapter ? 0 : piece.begin, end };
  });
}

/** 83.4567 → "0:01:23.457", a SMIL clock value (EPUB Media Overlays `media:duration`). */
export function clock(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${Math.floor(ms / 3_600_000)}:${pad(Math.floor((ms % 3_600_000) / 60_000))}:${pad(Math.floor((ms % 60_000) / 1000))}.${pad(ms % 1000, 3)}`;
}

/** Text as XML attribute values and character data may hold it. */
export const escapeXml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);

/** `to` (a path in the package) as an href from the file at `from`. */
export function relativeHref(from: string, to: string): string {
  const base = from.split('/').slice(0, -1);
  const target = to.split('/');
  let common = 0;
  while (common < base.length && base[common] === target[common]) common++;
  const up = base.slice(common).map(() => '..');
  return [...up, ...target.slice(common)]
    .map((p) => (p === '..' ? p : encodeURIComponent(p)))
    .join('/');
}

/** One content document's overlay: a `par` per placed sentence, in reading order. */
export function smilDocument(smilPath: string, docPath: string, clips: Clip[]): string {
  const text = relativeHref(smilPath, docPath);
  const pars = clips.map(
    (c) =>
      `    <par id="par-${c.id}">\n      <text src="${escapeXml(`${text}#${c.id}`)}"/>\n` +
      `      <audio src="${escapeXml(relativeHref(smilPath, c.audio))}" clipBegin="${c.begin.toFixed(3)}s" clipEnd="${c.end.toFixed(3)}s"/>\n    </par>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<smil xmlns="http://www.w3.org/ns/SMIL" version="3.0">
  <body>
${pars.join('\n')}
  </body>
</smil>
`;
}

/** How long a document's overlay plays. */
export const overlayDuration = (clips: Clip[]) => clips.reduce((s, c) => s + (c.end - c.begin), 0);
