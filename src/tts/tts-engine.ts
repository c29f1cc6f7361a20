import type { AudioFormat } from '../audio/audio-format.js';
import type { SegmentUnit } from '../text/segments.js';
import type { Pcm } from './wav.js';

/** One chapter's conversation with a speech engine; segments are synthesized in order. */
export interface TtsSession {
  synthesize(text: string): Promise<Pcm>;
  close(): void;
}

export interface Voice {
  id: string;
  /** Primary language subtag the voice speaks (`en`, `es`…), or null for any. */
  language: string | null;
}

export interface SessionOptions {
  language: string;
  voice: string;
  /** 1 is the engine's normal pace. */
  speed: number;
}

export interface TtsEngine {
  readonly name: string;
  /** What uploads may choose from (GET /voices). */
  readonly voices: Voice[];
  /** The voice used when neither the upload nor the book's language picks one. */
  readonly defaultVoice: string;
  /**
   * An engine whose every chapter is one ready-made recording (the dry run):
   * chapter jobs store it once per book and neither synthesize nor encode.
   */
  sharedRecording?(format: AudioFormat): Promise<{ bytes: Buffer; durationSec: number }>;
  open(opts: SessionOptions): TtsSession;
  /**
   * Segments of one chapter a session may be asked for at once: a remote server or the
   * in-process engines' slots work on them in parallel, so the next request waits neither
   * for this one's answer nor for its encoding, and a chapter running alone has every slot.
   * Unset: one at a time (an espeak-ng or command engine's session is one process).
   */
  readonly lookahead?: number;
  /**
   * What one request holds, and so how finely a chapter's timings tell its text apart
   * (text/segments.ts): `sentence` for an engine whose requests cost little (Piper, in
   * process); `paragraph` for a remote one; `packed` (the default) where each request starts
   * a program or an instance.
   */
  readonly unit?: SegmentUnit;
  /**
   * How fast the voice reads a book at speed 1, pauses included, in words a minute (text
   * without spaces counts two characters a word, text/chapter-text.ts countWords): measured
   * for each engine, it gives the estimates (a chapter's length, a book's, the time left).
   * Unset: DEFAULT_WORDS_PER_MINUTE.
   */
  readonly wordsPerMinute?: (voice: string) => number;
  /**
   * A set of engines (engine-set.ts): which of them reads a voice, and the voice as it names
   * it. Unset: this engine reads every voice itself.
   */
  route?(voice: string): { engine: TtsEngine; voice: string };
  /** Longest text sent in one request; chapters are split at sentences to fit (DEFAULT_MAX_CHARS). */
  readonly maxChars?: number;
  /** Chapters synthesized at once per worker (the speech queue's concurrency). */
  readonly concurrency?: number;
  /** At most `max` chapter jobs start per `duration` ms across all workers (BullMQ's limiter). */
  readonly rateLimit?: { max: number; duration: number };
  /**
   * A remote engine's smallest request: resolves when the engine answers at all (even
   * with a refusal), rejects with EngineUnavailableError when it is down for everyone.
   */
  probe?(): Promise<void>;
}

/** A narrator's pace, for an engine that was not measured (audiobook narration is 150–160). */
export const DEFAULT_WORDS_PER_MINUTE = 155;

/** What an engine that says nothing of it sends in one request. */
export const DEFAULT_MAX_CHARS = 6000;

/** The longest text the engine takes in one request. */
export const maxCharsOf = (engine: Pick<TtsEngine, 'maxChars'>) =>
  engine.maxChars ?? DEFAULT_MAX_CHARS;

/** A failure the engine's server will repeat however often we ask (bad input, bad voice). */
export class PermanentTtsError extends Error {
  override name = 'PermanentTtsError';
}

/**
 * The engine cannot serve anyone right now (unreachable, timing out, 429/502/503/504),
 * as far as this request can tell: the chapter is not to blame if `probe` agrees.
 */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}
