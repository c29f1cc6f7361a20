import { describe, expect, it } from 'vitest';
import { findPauses, sentenceStarts } from '../../src/audio/pauses.js';
import { sentencesOf } from '../../src/text/sentences.js';

const RATE = 16000;
/** 16-bit mono PCM: `[sound seconds, quiet seconds]` in turn. */
function pcm(...parts: [number, number][]): Buffer {
  return Buffer.concat(
    parts.flatMap(([sound, quiet]) => {
      const tone = Buffer.alloc(Math.round(sound * RATE) * 2);
      for (let i = 0; i < tone.length / 2; i++)
        tone.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / RATE)), i * 2);
      return [tone, Buffer.alloc(Math.round(quiet * RATE) * 2)];
    }),
  );
}

describe('where the sentences of one request start', () => {
  it('hears the pauses between sounds, not the quiet at either end', () => {
    const audio = Buffer.concat([Buffer.alloc(2 * RATE), pcm([1, 0.3], [0.5, 0.1], [0.5, 0.5])]);
    // The 0.1 s gap is too short to be a pause (a comma at most).
    expect(findPauses(audio, { sampleRate: RATE, channels: 1 })).toEqual([{ start: 2, end: 2.3 }]);
  });

  it('puts each sentence after the pause nearest to its share of the letters', () => {
    const sentences = sentencesOf('One two three. Four five six seven eight.\n\nNine ten.');
    expect(sentences).toEqual(['One two three.', 'Four five six seven eight.', 'Nine ten.']);
    const pauses = [
      { start: 0.9, end: 1.2 }, // after "One two three."
      { start: 1.8, end: 1.9 }, // a comma's breath inside the second sentence
      { start: 3.4, end: 3.8 }, // after the second
    ];
    expect(sentenceStarts(sentences, 4.6, pauses)).toEqual([0, 1.2, 3.8]);
  });

  it('places by letters what no pause was heard for', () => {
    expect(sentenceStarts(['Aaaa.', 'Bbbb.'], 2, [])).toEqual([0, 1]);
  });
});
