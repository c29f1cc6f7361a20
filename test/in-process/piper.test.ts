import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiperEngine } from '../../src/tts/piper-engine.js';
import { sentenceIds } from '../../src/tts/piper-phonemes.js';
import { loadPiperVoice } from '../../src/tts/piper-voice.js';
import { toWav } from '../../src/tts/wav.js';
import { noiselessVoice, piperReference, testVoicePath } from '../support/piper.js';
import { bookSentences } from '../support/prose.js';
import { tempDir } from '../support/services.js';
import { compareWavs, type WavComparison } from '../support/wav-compare.js';

/**
 * bookflow's Piper engine against Piper's own Python package, same voice, same
 * sentences. With the model's noise off both are deterministic, so they can be
 * compared closely: same sample rate, each sentence's duration within 5%, and
 * log-mel spectrograms alike (correlation ≥ 0.9); where the phoneme ids are the
 * same, the audio is the same (≥ 0.99). Neither is silence.
 */
describe("the Piper engine against Piper's own", () => {
  let dir: string;
  let voicePath: string;
  let sentences: string[];
  beforeAll(async () => {
    dir = await tempDir('bookflow-piper-');
    voicePath = await noiselessVoice(testVoicePath(), dir);
    sentences = await bookSentences(8);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('speaks each sentence as Piper does', async () => {
    const voice = loadPiperVoice(voicePath);
    expect(voice).toMatchObject({ sampleRate: 22050, espeakVoice: 'en-us', language: 'en' });
    const reference = await piperReference(voicePath, sentences, dir, { noiseless: true });
    const engine = createPiperEngine({ voices: [voice], defaultVoice: undefined, concurrency: 2 });
    const session = engine.open({ voice: voice.id, speed: 1, language: 'en' });
    const results: (WavComparison & { sameIds: boolean })[] = [];
    for (const [i, text] of sentences.entries()) {
      const pcm = await session.synthesize(text);
      const ours = path.join(dir, `ours-${i}.wav`);
      await fs.writeFile(ours, toWav(pcm));
      const ids = await sentenceIds(text, voice);
      const sameIds = JSON.stringify(ids) === JSON.stringify(reference[i]?.ids);
      results.push({ ...(await compareWavs(path.join(dir, `ref-${i}.wav`), ours)), sameIds });
    }
    session.close();
    console.log(
      results.map((r, i) => ({
        sentence: i,
        sameIds: r.sameIds,
        seconds: [r.seconds_a, r.seconds_b].map((s) => s.toFixed(2)).join(' / '),
        logmelCorr: r.logmel_corr.toFixed(3),
      })),
    );
    for (const r of results) {
      expect(r.rate_b).toBe(r.rate_a);
      expect(Math.abs(r.seconds_b / r.seconds_a - 1)).toBeLessThanOrEqual(0.05);
      expect(r.logmel_corr).toBeGreaterThanOrEqual(r.sameIds ? 0.99 : 0.9);
      expect(r.rms_b).toBeGreaterThan(0.02);
    }
    // The stronger check: the same phoneme ids as Piper for most sentences (all 8, as of writing).
    expect(results.filter((r) => r.sameIds).length).toBeGreaterThanOrEqual(6);
  }, 300_000);

  it('lets a process that is done end: idle synthesis threads hold nothing', async () => {
    // `bookflow convert` with Piper wrote its audiobook and then never exited: a thread's
    // message listener, added after unref(), held the process.
    const engine = path.resolve('src/tts/piper-engine.ts');
    const voices = path.resolve('src/tts/piper-voice.ts');
    const script = `
      const { createPiperEngine } = await import(${JSON.stringify(engine)});
      const { loadPiperVoice } = await import(${JSON.stringify(voices)});
      const voice = loadPiperVoice(${JSON.stringify(voicePath)});
      const engine = createPiperEngine({ voices: [voice], defaultVoice: undefined, concurrency: 1 });
      const session = engine.open({ voice: voice.id, speed: 1, language: 'en' });
      console.log((await session.synthesize('Hello there.')).data.length);
      session.close();`;
    const file = path.join(dir, 'speak-once.mjs');
    await fs.writeFile(file, script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(run.signal, run.stderr).toBeNull(); // not killed by the timeout: it ended itself
    expect(run.status, run.stderr).toBe(0);
    expect(Number(run.stdout.trim())).toBeGreaterThan(10_000); // it did speak
  });
});
