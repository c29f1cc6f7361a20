import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';
import {
  createTtsEngine,
  ENGINE_IDS,
  type EngineId,
  TTS_VARIABLES,
} from '../../src/tts/engines.js';

let dir: string;

/** A Piper voice as Piper's own files are laid out: the model (unread until a chapter), its config. */
async function piperVoiceFiles(): Promise<string> {
  const model = path.join(dir, 'xx_XX-test-low.onnx');
  await fs.writeFile(model, 'not loaded until a chapter is read');
  const map = { _: [0], '^': [1], $: [2], a: [3] };
  const config = { audio: { sample_rate: 16000 }, espeak: { voice: 'en-us' }, phoneme_id_map: map };
  await fs.writeFile(`${model}.json`, JSON.stringify(config));
  return model;
}

/** A Kokoro install as its Hugging Face repository lays it out (the model unread until a chapter). */
async function kokoroFiles(): Promise<string> {
  const root = path.join(dir, 'kokoro');
  await fs.mkdir(path.join(root, 'onnx'), { recursive: true });
  await fs.mkdir(path.join(root, 'voices'), { recursive: true });
  await fs.writeFile(path.join(root, 'onnx/model_quantized.onnx'), 'not loaded until a chapter');
  await fs.writeFile(
    path.join(root, 'tokenizer.json'),
    JSON.stringify({ model: { vocab: { a: 43 } } }),
  );
  await fs.writeFile(path.join(root, 'voices/bf_test.bin'), Buffer.alloc(510 * 256 * 4));
  return root;
}

/** The raw settings each engine needs at the least; an engine added without a row here fails. */
const rawSettings = async (): Promise<Record<EngineId, Record<string, string>>> => ({
  espeak: {},
  piper: { PIPER_VOICES: await piperVoiceFiles() },
  kokoro: { KOKORO_DIR: await kokoroFiles() },
  openai: { TTS_BASE_URL: 'http://127.0.0.1:9' },
  command: { TTS_COMMAND: 'cat' },
  silence: {},
});

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-engines-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('every engine, built from raw settings', () => {
  it('has a row of raw settings for each engine the list holds', async () => {
    expect(Object.keys(await rawSettings()).sort()).toEqual([...ENGINE_IDS].sort());
  });

  it('makes each engine with its own limits, and a voice it offers by default', async () => {
    const raw = await rawSettings();
    for (const id of ENGINE_IDS) {
      const config = loadConfig({ TTS_ENGINE: id, ...raw[id] });
      const engine = createTtsEngine(config.tts);
      expect(config.tts.engine, id).toBe(id);
      expect(engine.maxChars, id).toBe(id === 'openai' ? 4096 : 6000);
      expect(engine.concurrency, id).toBe(config.workers.tts.concurrency);
      expect(engine.rateLimit, id).toBeUndefined();
      expect(
        engine.voices.map((v) => v.id),
        id,
      ).toContain(engine.defaultVoice);
    }
  });

  it('lets the common settings override any engine’s own limits', async () => {
    const raw = await rawSettings();
    for (const id of ENGINE_IDS) {
      const limits = { TTS_MAX_CHARS: '1000', TTS_CONCURRENCY: '3', TTS_RATE_LIMIT: '5/1s' };
      const engine = createTtsEngine(loadConfig({ TTS_ENGINE: id, ...raw[id], ...limits }).tts);
      expect([engine.maxChars, engine.concurrency, engine.rateLimit], id).toEqual([
        1000,
        3,
        { max: 5, duration: 1000 },
      ]);
    }
  });

  it('lists every variable an engine reads among the configuration variables', () => {
    for (const name of TTS_VARIABLES) expect(CONFIG_VARIABLES).toContain(name);
    expect(TTS_VARIABLES).toContain('PIPER_VOICES');
  });
});
