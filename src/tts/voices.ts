import { InvalidInputError, NotFoundError } from '../errors.js';
import { quote } from '../text/clean-text.js';
import { quoteMarksOf } from '../text/dialogue.js';
import { primaryLanguage } from '../text/speech-text.js';
import { routed } from './engine-set.js';
import {
  DEFAULT_WORDS_PER_MINUTE,
  maxCharsOf,
  type TtsEngine,
  type TtsSession,
  type Voice,
} from './tts-engine.js';

type VoiceSource = Pick<TtsEngine, 'voices' | 'defaultVoice'>;

/**
 * The one rule for which voice reads a book: the voice asked for (a preview's), else the
 * book's own (chosen at upload, or set from its language once parsed), else the engine's
 * voice for the book's language, else the engine's default.
 */
export function voiceFor(
  book: { voice: string | null; language?: string | null },
  engine: VoiceSource,
  asked?: string,
): string {
  if (asked) return asked;
  if (book.voice) return book.voice;
  const lang = book.language ? primaryLanguage(book.language) : undefined;
  return (lang && engine.voices.find((v) => v.language === lang)?.id) || engine.defaultVoice;
}

/**
 * Who reads a book: its voice, and its dialogue voice where it has one (what is inside
 * quotation marks, text/dialogue.ts), each on the engine of a set that speaks it; a preview
 * may ask for others. A chapter is cut as both engines take it.
 */
export function readersFor(
  book: { voice: string | null; dialogueVoice: string | null; language: string | null },
  engine: TtsEngine,
  asked: { voice?: string; dialogueVoice?: string } = {},
) {
  const voice = voiceFor(book, engine, asked.voice);
  const narration = routed(engine, voice);
  const wanted = asked.dialogueVoice ?? book.dialogueVoice;
  const dialogue = wanted ? routed(engine, wanted) : undefined;
  return {
    narration,
    /** The voices as the engine (a set) names them: a preview opens its sessions with these. */
    voices: { narration: voice, dialogue: wanted || undefined },
    maxChars: Math.min(
      maxCharsOf(narration.engine),
      ...(dialogue ? [maxCharsOf(dialogue.engine)] : []),
    ),
    /** The book language's quotation marks, when a dialogue voice reads what they hold. */
    quotes: dialogue && quoteMarksOf(book.language),
    /** A session for each voice: the dialogue's only where there is one. */
    open(opts: { language: string; speed: number }): {
      session: TtsSession;
      dialogue?: TtsSession;
    } {
      const session = narration.engine.open({ ...opts, voice: narration.voice });
      return { session, dialogue: dialogue?.engine.open({ ...opts, voice: dialogue.voice }) };
    },
  };
}

/**
 * How long `words` of a book take to hear, in seconds: at its voice's measured pace
 * (TtsEngine.wordsPerMinute) and its speed.
 */
export function estimatedSeconds(
  words: number,
  book: { voice: string | null; language?: string | null; speed: number },
  engine: Pick<TtsEngine, 'voices' | 'defaultVoice' | 'wordsPerMinute'>,
): number {
  const wpm = engine.wordsPerMinute?.(voiceFor(book, engine)) ?? DEFAULT_WORDS_PER_MINUTE;
  return Math.round((words * 60) / wpm / book.speed);
}

/** Who reads the book, as its tags and Audiobookshelf name the narrator. */
export function narratorOf(engine: TtsEngine, voice: string): string {
  const reader = routed(engine, voice);
  return `${reader.engine.name}, voice ${reader.voice}`;
}

/**
 * The one check that a voice is offered here. A voice chosen (an upload's, a preview's) that
 * is not is a bad request naming what is; a voice named in a path (a sample's) is not found.
 */
export function assertOffered(
  voices: Voice[],
  id: string,
  as: 'choice' | 'resource' = 'choice',
): Voice {
  const voice = voices.find((v) => v.id === id);
  if (voice) return voice;
  if (as === 'resource') throw new NotFoundError(`voice ${id}`);
  const offered = voices.slice(0, 50).map((v) => v.id);
  throw new InvalidInputError(
    `voice ${quote(id)} is not offered; GET /voices lists: ${offered.join(', ')}`,
  );
}
