import { silentChapter } from '../audio/silent-chapter.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import { DEFAULT_MAX_CHARS, type TtsEngine } from './tts-engine.js';

const RATE = 16000;

/**
 * A dry-run engine. Its every chapter is half a second of ready-made silence
 * (`sharedRecording`), which chapter jobs store once per book instead of
 * synthesizing and encoding, so a book runs through every step of the pipeline
 * at next to no cost: for checking a deployment end to end, and for measuring
 * the pipeline's own overhead.
 */
export function createSilenceEngine(): TtsEngine {
  return {
    name: 'silence (dry run)',
    sharedRecording: silentChapter,
    voices: [{ id: 'silence', language: null }],
    defaultVoice: 'silence',
    open: () => ({
      synthesize: async () => ({ sampleRate: RATE, channels: 1, data: Buffer.alloc(RATE / 5) }),
      close: () => {},
    }),
  };
}

/** The dry run (TTS_ENGINE=silence): nothing is synthesized, so many chapters at once. */
export const silenceEngine = defineEngine({
  variables: [],
  settings: (r) => commonSettings(r, { maxChars: DEFAULT_MAX_CHARS, concurrency: 16 }),
  create: (settings) => withLimits(createSilenceEngine(), settings),
});
