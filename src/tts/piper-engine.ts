import { sourceFile } from '../source-files.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import type { PiperRequest } from './piper-thread.js';
import { loadPiperVoice, type PiperVoice } from './piper-voice.js';
import { synthesisThreads } from './synthesis-threads.js';
import { DEFAULT_MAX_CHARS, type TtsEngine } from './tts-engine.js';
import { installedPiperModels } from './voice-folders.js';

const ENTRY = sourceFile('./piper-thread', import.meta.url);

/**
 * A Piper voice's pace at length scale 1, pauses included: measured with en_US-joe-medium on
 * Pride and Prejudice's chapters 2 and 3 (test/in-process/real-engines.alone.test.ts). A voice whose
 * config asks for a longer scale reads slower by as much.
 */
const WPM_AT_SCALE_1 = 202;

/**
 * Piper voices, synthesized in-process with onnxruntime-node, a worker thread per synthesis
 * slot (TTS_CONCURRENCY; synthesis-threads.ts). Each thread loads a voice once and keeps it.
 */
export function createPiperEngine(opts: {
  voices: PiperVoice[];
  defaultVoice: string | undefined;
  concurrency: number;
}): TtsEngine {
  const byId = new Map(opts.voices.map((v) => [v.id, v]));
  const threads = synthesisThreads<PiperRequest>({
    entry: ENTRY,
    slots: opts.concurrency,
    engine: 'Piper',
  });
  const synthesize = (text: string, voice: PiperVoice, lengthScale: number) =>
    threads.run({ text, voice, lengthScale });

  const fallback = opts.defaultVoice ?? opts.voices[0]?.id ?? '';
  return {
    name: 'piper',
    unit: 'sentence',
    // As many sentences ahead as there are slots: a chapter running alone (a book's last, a
    // one-chapter book) keeps every core busy; chapters running together take turns (FIFO).
    lookahead: opts.concurrency,
    voices: opts.voices.map((v) => ({ id: v.id, language: v.language })),
    defaultVoice: fallback,
    wordsPerMinute: (voice) =>
      WPM_AT_SCALE_1 / ((byId.get(voice) ?? byId.get(fallback))?.lengthScale ?? 1),
    open({ voice, speed }) {
      const chosen = byId.get(voice) ?? (byId.get(fallback) as PiperVoice);
      let closed = false;
      return {
        async synthesize(text) {
          if (closed) throw new Error('the speech session was closed');
          // Piper's speed is its length scale: a faster reading makes every phoneme shorter.
          const samples = await synthesize(text, chosen, chosen.lengthScale / speed);
          if (closed) throw new Error('the speech session was closed');
          const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
          return { sampleRate: chosen.sampleRate, channels: 1, data };
        },
        close: () => {
          closed = true;
        },
      };
    },
  };
}

/**
 * TTS_ENGINE=piper: the voices PIPER_VOICES lists (`.onnx` paths), else those installed in
 * DATA_DIR/voices (`bookflow voices add`), each read at start-up.
 */
export const piperEngine = defineEngine({
  variables: ['PIPER_VOICES'],
  settings(r, where) {
    const listed = r.str('PIPER_VOICES');
    const paths = listed
      ? listed
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : installedPiperModels(where.voicesDir);
    if (paths.length === 0)
      r.problems.push(
        `PIPER_VOICES is required when TTS_ENGINE=piper and no Piper voice is installed in ${where.voicesDir} (npx bookflow voices add piper:en_US-joe-medium)`,
      );
    const piperVoices: PiperVoice[] = [];
    for (const p of paths) {
      try {
        piperVoices.push(loadPiperVoice(p));
      } catch (err) {
        r.problems.push(`PIPER_VOICES: ${(err as Error).message}`);
      }
    }
    return { ...commonSettings(r, { maxChars: DEFAULT_MAX_CHARS }), piperVoices };
  },
  create: (s) =>
    withLimits(
      createPiperEngine({
        voices: s.piperVoices,
        defaultVoice: s.voice,
        concurrency: s.concurrency,
      }),
      s,
    ),
});
