import type { PiperVoice } from './piper-voice.js';
import type { Voice } from './tts-engine.js';

export const TTS_ENGINES = ['espeak', 'piper', 'openai', 'command', 'silence'] as const;
export type TtsEngineName = (typeof TTS_ENGINES)[number];

/** What every engine is given, and how chapter jobs use it. */
interface CommonTtsOptions {
  /** Default voice; unset means the engine's own. */
  voice: string | undefined;
  /** Voices offered to uploads (`id` or `id@language`); empty means the engine's own list. */
  voices: Voice[];
  timeoutMs: number;
  /** Longest text sent in one request; chapters are split at sentences to fit. */
  maxChars: number;
  /** Chapters synthesized at once per worker. */
  concurrency: number;
  /** At most `max` chapter jobs start per `duration` ms across all workers (BullMQ's limiter). */
  rateLimit: { max: number; duration: number } | undefined;
}

/** The speech engine's settings, keyed by engine: each variant has exactly what it needs. */
export type TtsEngineOptions =
  | (CommonTtsOptions & {
      engine: 'openai';
      /** OpenAI-compatible server, e.g. https://api.openai.com or http://kokoro:8880 */
      baseUrl: string;
      apiKey: string | undefined;
      model: string;
    })
  | (CommonTtsOptions & { engine: 'command'; command: string })
  | (CommonTtsOptions & { engine: 'piper'; piperVoices: PiperVoice[] })
  | (CommonTtsOptions & { engine: 'espeak' | 'silence' });
