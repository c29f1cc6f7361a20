import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKokoroEngine, KOKORO_SENTENCE_GAP } from '../../src/tts/kokoro-engine.js';
import { kokoroPhonemes, toTokens } from '../../src/tts/kokoro-phonemes.js';
import { KOKORO_RATE, loadKokoro } from '../../src/tts/kokoro-voice.js';
import { toWav } from '../../src/tts/wav.js';
import { kokoroLayout, kokoroReference } from '../support/kokoro.js';
import { bookSentences } from '../support/prose.js';
import { tempDir } from '../support/services.js';
import { compareWavs } from '../support/wav-compare.js';

/** Japanese in kana: espeak-ng reads kana, and says each kanji "Chinese letter" (both sides). */
const JAPANESE = [
  'きょうは いい てんき です。',
  'わたしは まいにち としょかんで ほんを よみます。',
  'むかしむかし、ある ところに おじいさんと おばあさんが すんで いました。',
];

/**
 * bookflow's Kokoro engine against the `kokoro-onnx` package, same model (Kokoro-82M int8),
 * same voice, same sentences: English (Pride and Prejudice) and Japanese. The only voices on
 * PyPI are Japanese, so jf_alpha reads both. Kokoro is deterministic; where the phonemes
 * match, each sentence's duration is within 5 % and its log-mel spectrogram correlates
 * ≥ 0.99 with the reference's.
 */
describe("the Kokoro engine against kokoro-onnx's", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('bookflow-kokoro-');
    await kokoroLayout(dir);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  // A Japanese voice reading an English book phonemizes it as English (phonemesFor).
  it.each([
    ['English', 'en-us', async () => bookSentences(8)],
    ['Japanese', 'ja', async () => JAPANESE],
  ])(
    'speaks %s sentences as kokoro-onnx does',
    async (name, lang, sentences) => {
      const texts = await sentences();
      const out = await tempDir('bookflow-kokoro-ref-');
      const reference = await kokoroReference(dir, 'jf_alpha', lang, texts, out);
      const model = loadKokoro(dir);
      const engine = createKokoroEngine({ model, defaultVoice: 'jf_alpha', concurrency: 1 });
      const session = engine.open({ voice: 'jf_alpha', speed: 1, language: lang });
      const results = [];
      for (const [i, text] of texts.entries()) {
        const pcm = await session.synthesize(text);
        // The gap the engine leaves after each sentence is not kokoro-onnx's.
        const gap = Math.round(KOKORO_SENTENCE_GAP * KOKORO_RATE) * 2;
        const ours = path.join(out, `ours-${i}.wav`);
        await fs.writeFile(ours, toWav({ ...pcm, data: pcm.data.subarray(0, -gap) }));
        // kokoro-onnx drops what the model does not know before it answers its phonemes.
        const tokens = toTokens(await kokoroPhonemes(text, lang), model.vocab);
        const samePhonemes =
          `${tokens}` === `${toTokens(reference[i]?.phonemes ?? '', model.vocab)}`;
        results.push({
          ...(await compareWavs(path.join(out, `ref-${i}.wav`), ours)),
          samePhonemes,
        });
      }
      session.close();
      await fs.rm(out, { recursive: true, force: true });
      console.log(
        name,
        results.map((r) => ({
          samePhonemes: r.samePhonemes,
          seconds: [r.seconds_a, r.seconds_b].map((s) => s.toFixed(2)).join(' / '),
          logmelCorr: r.logmel_corr.toFixed(3),
        })),
      );
      for (const r of results) {
        expect(r.rate_b).toBe(r.rate_a);
        expect(r.rms_b).toBeGreaterThan(0.02);
        if (!r.samePhonemes) continue;
        expect(Math.abs(r.seconds_b / r.seconds_a - 1)).toBeLessThanOrEqual(0.05);
        expect(r.logmel_corr).toBeGreaterThanOrEqual(0.99);
      }
      expect(results.filter((r) => r.samePhonemes).length).toBeGreaterThanOrEqual(
        Math.ceil(texts.length * 0.6),
      );
    },
    300_000,
  );
});
