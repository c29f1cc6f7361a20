import { DEFAULT_WORDS_PER_MINUTE, type TtsEngine, type Voice } from './tts-engine.js';

/** An engine of a set, by the id its voices are prefixed with (`piper`, `kokoro`, `espeak`). */
export interface Member {
  id: string;
  engine: TtsEngine;
}

/** Which engine reads a voice of a set, and the voice as that engine names it. */
export interface Routed {
  engine: TtsEngine;
  voice: string;
}

/** Engines whose voices a book's language may pick on its own: neural ones before espeak-ng. */
const NEURAL_FIRST = ['kokoro', 'piper', 'openai', 'command'];

/**
 * Several engines in one deployment, as one engine: TTS_ENGINE's (`main`: its limits are the
 * set's, its bare voice ids keep working) and the others installed (DATA_DIR/voices). Voice
 * ids name their engine (`piper:en_US-joe-medium`, `kokoro:af_heart`, `espeak:en`). A book
 * without a voice gets the first that speaks its language, neural engines' before
 * espeak-ng's; else the main engine's default. `route` says which engine reads a voice;
 * everything per voice (a session, the pace, how finely a chapter is split) is that engine's.
 */
export function engineSet(main: Member, others: Member[]): TtsEngine {
  const members = [main, ...others.filter((m) => m.id !== main.id)];
  const byId = new Map(members.map((m) => [m.id, m]));
  const rank = (m: Member) => {
    const i = NEURAL_FIRST.indexOf(m.id);
    return i < 0 ? NEURAL_FIRST.length : i;
  };
  // In the order a book's language picks by (voices.ts voiceFor: the first that speaks it).
  const voices: Voice[] = [
    ...[...members]
      .sort((a, b) => rank(a) - rank(b))
      .flatMap((m) => m.engine.voices.map((v) => ({ ...v, id: `${m.id}:${v.id}` }))),
    // The main engine's ids as they were before sets, last: books and scripts that name them.
    ...main.engine.voices,
  ];

  function route(voice: string): Routed {
    const at = voice.indexOf(':');
    const member = at > 0 ? byId.get(voice.slice(0, at)) : undefined;
    if (member) return { engine: member.engine, voice: voice.slice(at + 1) };
    return { engine: main.engine, voice };
  }

  return {
    ...main.engine,
    name: members.map((m) => m.engine.name).join(' + '),
    voices,
    defaultVoice: `${main.id}:${main.engine.defaultVoice}`,
    route,
    wordsPerMinute: (voice) => {
      const r = route(voice);
      return r.engine.wordsPerMinute?.(r.voice) ?? DEFAULT_WORDS_PER_MINUTE;
    },
    open: (opts) => {
      const r = route(opts.voice);
      return r.engine.open({ ...opts, voice: r.voice });
    },
  };
}

/** Which engine reads `voice` (itself, for an engine that is not a set). */
export const routed = <E extends Pick<TtsEngine, 'route'>>(
  engine: E,
  voice: string,
): { engine: E | TtsEngine; voice: string } => engine.route?.(voice) ?? { engine, voice };
