import { sourceFile } from '../source-files.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import type { KokoroRequest } from './kokoro-thread.js';
import { KOKORO_RATE, type KokoroModel, loadKokoro, phonemesFor } from './kokoro-voice.js';
import { synthesisThreads } from './synthesis-threads.js';
import { DEFAULT_MAX_CHARS, type TtsEngine } from './tts-engine.js';
import { kokoroDir } from './voice-folders.js';

const ENTRY = sourceFile('./kokoro-thread', import.meta.url);

/**
 * Kokoro's pace at speed 1, pauses included: measured with jf_alpha reading the openings of
 * Pride and Prejudice's chapters 2 and 3 in English, 168 and 175 (real-engines.alone.test.ts).
 */
const WPM_AT_SPEED_1 = 172;

/**
 * Silence after each request's speech: Kokoro's audio is trimmed to the sound, and a chapter's
 * sentences (one a request) would run into each other without it. kokoro-onnx's sentence pause.
 */
export const KOKORO_SENTENCE_GAP = 0.25;

/** The default voice: the first American English one installed, else the first of all. */
const firstVoice = (model: KokoroModel) =>
  (model.voices.find((v) => v.id.startsWith('a')) ?? model.voices[0])?.id ?? '';

/**
 * Kokoro-82M voices, synthesized in-process with onnxruntime-node like Piper's
 * (synthesis-threads.ts: a thread per slot, the cores shared among them).
 */
export function createKokoroEngine(opts: {
  model: KokoroModel;
  defaultVoice: string | undefined;
  concurrency: number;
}): TtsEngine {
  const { model } = opts;
  const byId = new Map(model.voices.map((v) => [v.id, v]));
  const threads = synthesisThreads<KokoroRequest>({
    entry: ENTRY,
    slots: opts.concurrency,
    engine: 'Kokoro',
  });
  const fallback = opts.defaultVoice ?? firstVoice(model);
  const gap = Buffer.alloc(Math.round(KOKORO_SENTENCE_GAP * KOKORO_RATE) * 2);
  return {
    name: 'kokoro',
    unit: 'sentence',
    // As many sentences ahead as there are slots: a chapter running alone (a book's last, a
    // one-chapter book) keeps every core busy; chapters running together take turns (FIFO).
    lookahead: opts.concurrency,
    voices: model.voices.map((v) => ({ id: v.id, language: v.language })),
    defaultVoice: fallback,
    wordsPerMinute: () => WPM_AT_SPEED_1,
    open({ voice, speed, language }) {
      const chosen = byId.get(voice) ?? byId.get(fallback) ?? model.voices[0];
      if (!chosen) throw new Error('no Kokoro voice is installed');
      let closed = false;
      return {
        async synthesize(text) {
          if (closed) throw new Error('the speech session was closed');
          const samples = await threads.run({
            text,
            modelPath: model.modelPath,
            vocab: model.vocab,
            voice: { path: chosen.path, espeakVoice: phonemesFor(chosen, language) },
            speed,
          });
          if (closed) throw new Error('the speech session was closed');
          const speech = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
          return { sampleRate: KOKORO_RATE, channels: 1, data: Buffer.concat([speech, gap]) };
        },
        close: () => {
          closed = true;
        },
      };
    },
  };
}

/**
 * TTS_ENGINE=kokoro: the model and voices in KOKORO_DIR, else those installed in
 * DATA_DIR/voices (`bookflow voices add`), read at start-up.
 */
export const kokoroEngine = defineEngine({
  variables: ['KOKORO_DIR'],
  settings(r, where) {
    const dir = r.str('KOKORO_DIR') ?? kokoroDir(where.voicesDir);
    let model: KokoroModel | undefined;
    try {
      model = loadKokoro(dir);
    } catch (err) {
      r.problems.push(
        `KOKORO_DIR: ${(err as Error).message} (npx bookflow voices add kokoro:af_heart installs one)`,
      );
    }
    return { ...commonSettings(r, { maxChars: DEFAULT_MAX_CHARS }), kokoro: model };
  },
  create: (s) =>
    withLimits(
      createKokoroEngine({
        model: s.kokoro as KokoroModel,
        defaultVoice: s.voice,
        concurrency: s.concurrency,
      }),
      s,
    ),
});
