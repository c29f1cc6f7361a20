import type { SegmentUnit } from '../../src/text/segments.js';
import { sentencesOf } from '../../src/text/sentences.js';
import type { TtsEngine } from '../../src/tts/tts-engine.js';

const RATE = 16000;

/**
 * A speech engine for in-process tests that need real, distinct chapter audio
 * (a player, a seek): every request is a short stretch of silence, encoded as
 * any engine's output is. Text matching `failWhile.match` fails as long as
 * `failWhile.on` holds, so a chapter can fail on every attempt until allowed.
 */
export function createTestEngine(failWhile?: { match: RegExp; on: () => boolean }): TtsEngine {
  return {
    name: 'test silence',
    // Two voices, so a book may have a dialogue voice too.
    voices: [
      { id: 'silence', language: null },
      { id: 'hush', language: null },
    ],
    defaultVoice: 'silence',
    open: () => ({
      synthesize: async (text) => {
        if (failWhile?.on() && failWhile.match.test(text)) throw new Error('injected failure');
        // A little time per request, as any engine takes, so a book's progress can be watched.
        await new Promise((resolve) => setTimeout(resolve, 150));
        const seconds = Math.min(0.3, 0.05 + text.length / 2000);
        return {
          sampleRate: RATE,
          channels: 1,
          data: Buffer.alloc(2 * Math.round(RATE * seconds)),
        };
      },
      close: () => {},
    }),
  };
}

/**
 * Each sentence said as a tone of 0.08 s a word followed by 0.25 s of silence, so where each
 * sentence starts can be heard in the finished audiobook. Sent a sentence at a time, or
 * several (`unit`, TtsEngine.unit), when where each starts is measured from the pauses.
 */
export function createToneEngine(unit: SegmentUnit = 'sentence'): TtsEngine {
  const said = (sentence: string) => {
    const tone = Math.round(sentence.split(/\s+/).length * 0.08 * RATE);
    const data = Buffer.alloc((tone + Math.round(0.25 * RATE)) * 2);
    for (let i = 0; i < tone; i++)
      data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / RATE)), i * 2);
    return data;
  };
  return {
    name: 'tones',
    voices: [{ id: 'plain', language: null }],
    defaultVoice: 'plain',
    unit,
    open: () => ({
      synthesize: async (text) => ({
        sampleRate: RATE,
        channels: 1,
        data: Buffer.concat(sentencesOf(text).map(said)),
      }),
      close: () => {},
    }),
  };
}
