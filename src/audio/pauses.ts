import type { PcmFormat } from './ffmpeg-args.js';

/** A stretch of quiet inside a segment's audio, in seconds from the segment's start. */
export interface Pause {
  start: number;
  end: number;
}

/** Quieter than this (16-bit peak, about −42 dBFS) is no speech: the pause between sentences. */
const QUIET = 256;
const WINDOW_SEC = 0.01;

/**
 * The pauses of at least `minSec` inside one segment's 16-bit PCM, measured in 10 ms windows:
 * where an engine that is sent several sentences at once (TtsEngine.unit) breathed between
 * them. Quiet at the very start or end is not between anything and is left out.
 */
export function findPauses(pcm: Buffer, format: PcmFormat, minSec = 0.15): Pause[] {
  const frame = 2 * format.channels;
  const window = Math.max(1, Math.round(format.sampleRate * WINDOW_SEC));
  const windows = Math.floor(pcm.length / frame / window);
  const pauses: Pause[] = [];
  let quietFrom = -1;
  let heard = false;
  for (let w = 0; w < windows; w++) {
    let peak = 0;
    const end = (w + 1) * window * frame;
    for (let at = w * window * frame; at < end && peak < QUIET; at += 2)
      peak = Math.max(peak, Math.abs(pcm.readInt16LE(at)));
    if (peak < QUIET) {
      if (quietFrom < 0) quietFrom = w;
      continue;
    }
    if (heard && quietFrom >= 0 && (w - quietFrom) * WINDOW_SEC >= minSec - 1e-9)
      pauses.push({ start: quietFrom * WINDOW_SEC, end: (w * window) / format.sampleRate });
    heard = true;
    quietFrom = -1;
  }
  return pauses;
}

const letters = (s: string) => Math.max(1, s.replace(/[^\p{L}\p{N}]/gu, '').length);

/**
 * Where each of `sentences`, said in one request of `durationSec`, starts in its audio: the
 * first at 0, each next one where a pause the engine made ends, the pause nearest to where
 * its share of the letters would put it (pauses taken in order, one per sentence). Where
 * too few pauses were heard, the rest are placed by their share of the letters.
 */
export function sentenceStarts(
  sentences: string[],
  durationSec: number,
  pauses: Pause[],
): number[] {
  const total = sentences.reduce((n, s) => n + letters(s), 0);
  const starts = [0];
  let before = 0; // letters before the sentence
  let next = 0; // the first pause not yet taken
  for (let k = 1; k < sentences.length; k++) {
    before += letters(sentences[k - 1] as string);
    const expected = (durationSec * before) / total;
    const left = sentences.length - 1 - k; // sentences after this one, each needing a pause
    let best = -1;
    for (let p = next; p < pauses.length - left; p++) {
      const end = (pauses[p] as Pause).end;
      if (best < 0 || Math.abs(end - expected) < Math.abs((pauses[best] as Pause).end - expected))
        best = p;
    }
    const previous = starts[k - 1] as number;
    if (best < 0) starts.push(Math.max(expected, previous + 0.01));
    else {
      starts.push((pauses[best] as Pause).end);
      next = best + 1;
    }
  }
  return starts;
}
