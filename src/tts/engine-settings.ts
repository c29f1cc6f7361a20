import os from 'node:os';
import type { EnvReaders } from '../env-readers.js';
import type { TtsEngine, Voice } from './tts-engine.js';

/** What every engine may read, each with its own defaults (README's Configuration). */
export const COMMON_TTS_VARIABLES = [
  'TTS_VOICE',
  'TTS_VOICES',
  'TTS_TIMEOUT',
  'TTS_MAX_CHARS',
  'TTS_CONCURRENCY',
  'TTS_RATE_LIMIT',
] as const;
type CommonVariable = (typeof COMMON_TTS_VARIABLES)[number];

/** What an engine may know of the deployment besides its variables. */
export interface EngineContext {
  /** DATA_DIR/voices: where `bookflow voices add` installs (voice-store.ts). */
  voicesDir: string;
}

/** The settings every engine has, and how chapter jobs use them. */
export interface CommonTtsSettings {
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

/** An engine's own defaults for the common settings. */
export interface EngineDefaults {
  maxChars: number;
  /** Unset: one chapter per core (a local engine's speech uses the CPU). */
  concurrency?: number;
  /** Offered when TTS_VOICES lists none. */
  voices?: string[];
}

/**
 * One speech engine, as the engine list (engines.ts) holds it: what it reads from the
 * environment beyond the common settings, how it reads them (once, at start-up, every bad
 * one named), and how it is made from them. Its limits are its own (`maxChars`,
 * `concurrency`, `rateLimit` on the engine it makes), as BullMQ's Worker owns its defaults.
 */
export interface EngineDefinition<Settings extends CommonTtsSettings, Name extends string> {
  readonly variables: readonly Name[];
  settings(r: EnvReaders<Name | CommonVariable>, where: EngineContext): Settings;
  create(settings: Settings): TtsEngine;
}

/** Declares an engine; the types of its variables and settings are inferred. */
export const defineEngine = <Settings extends CommonTtsSettings, Name extends string = never>(
  definition: EngineDefinition<Settings, Name>,
) => definition;

/** The common settings, read with the engine's own defaults. */
export function commonSettings(
  r: EnvReaders<CommonVariable>,
  defaults: EngineDefaults,
): CommonTtsSettings {
  const listed = r
    .str('TTS_VOICES')
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const voices = (listed ?? defaults.voices ?? []).map((v) => {
    const [id = v, language] = v.split('@');
    return { id, language: language ?? null };
  });
  return {
    voice: r.str('TTS_VOICE'),
    voices,
    timeoutMs: r.int('TTS_TIMEOUT', 120, 1, 3600) * 1000,
    maxChars: r.int('TTS_MAX_CHARS', defaults.maxChars, 100, 1_000_000),
    concurrency: r.int(
      'TTS_CONCURRENCY',
      defaults.concurrency ?? os.availableParallelism(),
      1,
      256,
    ),
    rateLimit: r.rate('TTS_RATE_LIMIT'),
  };
}

/** The engine with the limits its settings say (what workers read off it). */
export const withLimits = (engine: TtsEngine, settings: CommonTtsSettings): TtsEngine => ({
  ...engine,
  maxChars: settings.maxChars,
  concurrency: settings.concurrency,
  rateLimit: settings.rateLimit,
});
