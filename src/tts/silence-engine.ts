import { silentChapter } from '../audio/silent-chapter.js';
import type { TtsEngine } from './tts-engine.js';

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
