import type { EnvReaders } from '../env-readers.js';
import { commandEngine } from './command-engine.js';
import { engineSet } from './engine-set.js';
import {
  COMMON_TTS_VARIABLES,
  type CommonTtsSettings,
  type EngineContext,
  type EngineDefinition,
} from './engine-settings.js';
import { espeakEngine } from './espeak-engine.js';
import { kokoroEngine } from './kokoro-engine.js';
import { openAiEngine } from './openai-engine.js';
import { piperEngine } from './piper-engine.js';
import { silenceEngine } from './silence-engine.js';
import type { TtsEngine } from './tts-engine.js';
import { installedPiperModels, kokoroDir, kokoroVoiceIds } from './voice-folders.js';

/**
 * The engine list: TTS_ENGINE names one of these. Adding an engine is its own file (its
 * definition: variables, settings with its defaults, how it is made) and a line here.
 */
export const ENGINES = {
  espeak: espeakEngine,
  piper: piperEngine,
  kokoro: kokoroEngine,
  openai: openAiEngine,
  command: commandEngine,
  silence: silenceEngine,
};

export type EngineId = keyof typeof ENGINES;
export const ENGINE_IDS = Object.keys(ENGINES) as EngineId[];

type SettingsOf<K extends EngineId> = ReturnType<(typeof ENGINES)[K]['settings']>;
type VariableOf<K extends EngineId> = (typeof ENGINES)[K]['variables'][number];

/** Which engine, with its settings as it read them (Config's `tts`). */
export type EngineChoice = { [K in EngineId]: { engine: K } & SettingsOf<K> }[EngineId];

export type TtsVariable =
  | 'TTS_ENGINE'
  | (typeof COMMON_TTS_VARIABLES)[number]
  | VariableOf<EngineId>;

/** Every variable an engine may read (config-readers.ts lists them with the rest). */
export const TTS_VARIABLES: readonly TtsVariable[] = [
  'TTS_ENGINE',
  ...COMMON_TTS_VARIABLES,
  ...ENGINE_IDS.flatMap((id): readonly TtsVariable[] => ENGINES[id].variables),
];

const isEngineId = (id: string): id is EngineId => Object.hasOwn(ENGINES, id);

/** TTS_ENGINE (espeak, or command when only TTS_COMMAND is set) and its settings. */
export function readEngineChoice(r: EnvReaders<TtsVariable>, where: EngineContext): EngineChoice {
  const id = r.str('TTS_ENGINE') ?? (r.str('TTS_COMMAND') ? 'command' : 'espeak');
  if (isEngineId(id)) return { engine: id, ...ENGINES[id].settings(r, where) } as EngineChoice;
  r.problems.push(`TTS_ENGINE=${id} must be one of ${ENGINE_IDS.join(', ')}`);
  return { engine: 'espeak', ...ENGINES.espeak.settings(r, where) };
}

/**
 * The engines whose voices are installed in DATA_DIR/voices (`bookflow voices add`) besides
 * TTS_ENGINE's, and then espeak-ng too (it needs nothing installed): each with its own
 * settings, and no default voice of its own (TTS_VOICE is the main engine's).
 */
export function readInstalledEngines(
  r: EnvReaders<TtsVariable>,
  where: EngineContext,
  main: EngineId,
): EngineChoice[] {
  const installed = [
    ...(kokoroVoiceIds(kokoroDir(where.voicesDir)).length > 0 ? ['kokoro' as const] : []),
    ...(installedPiperModels(where.voicesDir).length > 0 ? ['piper' as const] : []),
  ].filter((id) => id !== main);
  const ids: EngineId[] =
    installed.length > 0 && main !== 'espeak' ? [...installed, 'espeak'] : installed;
  return ids.map(
    (id) => ({ engine: id, ...ENGINES[id].settings(r, where), voice: undefined }) as EngineChoice,
  );
}

const create = (choice: EngineChoice) =>
  (ENGINES[choice.engine] as EngineDefinition<CommonTtsSettings, string>).create(choice);

/** The engine chosen, made from its settings; with others installed, a set of them all. */
export function createTtsEngine(choice: EngineChoice, installed: EngineChoice[] = []): TtsEngine {
  const main = create(choice);
  if (installed.length === 0) return main;
  return engineSet(
    { id: choice.engine, engine: main },
    installed.map((c) => ({ id: c.engine, engine: create(c) })),
  );
}
