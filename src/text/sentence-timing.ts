import type { Pause } from '../audio/pauses.js';
import { SCENE_BREAK, SENTENCE_END } from './segments.js';

/** A text's sentences: its paragraphs, each cut where a sentence ends (segments.ts). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\n{2,}/)
    .flatMap((p) => p.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter((s) => s && s !== SCENE_BREAK);
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
