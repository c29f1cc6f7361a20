import type { TtsEngine } from './tts-engine.js';

const RATE = 16000;

/**
 * A dry-run engine: a short silence per request, with no synthesis cost. For
 * checking a deployment end to end, and for measuring the pipeline itself.
 */
export function createSilenceEngine(): TtsEngine {
  return {
    name: 'silence (dry run)',
    voices: [{ id: 'silence', language: null }],
    defaultVoice: 'silence',
    open: () => ({
      synthesize: async () => ({ sampleRate: RATE, channels: 1, data: Buffer.alloc(RATE / 5) }),
      close: () => {},
    }),
  };
}
