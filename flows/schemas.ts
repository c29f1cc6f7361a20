import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { UnrecoverableError } from 'bullmq';
import { BOOK_ID_PATTERN } from './job-ids.js';
import type { JobName } from './queues.js';
import { SPEED_RANGE } from './ranges.js';

export const BookId = Type.String({ pattern: BOOK_ID_PATTERN });

export const ParsePayload = Type.Object({ bookId: BookId });
export const TtsPayload = Type.Object({ bookId: BookId, n: Type.Integer({ minimum: 1 }) });
export const MergePayload = Type.Object({
  bookId: BookId,
  /** Set by the orchestrator itself once it has added the chapter children. */
  step: Type.Optional(Type.Union([Type.Literal('start'), Type.Literal('waiting')])),
});
export const FinalizePayload = Type.Object({ bookId: BookId });
/** The opening of a chapter in a voice and speed (the book's unless given), or a voice's sample. */
export const PreviewPayload = Type.Union([
  Type.Object({
    kind: Type.Literal('chapter'),
    bookId: BookId,
    n: Type.Integer({ minimum: 1 }),
    voice: Type.Optional(Type.String()),
    dialogueVoice: Type.Optional(Type.String()),
    speed: Type.Optional(Type.Number(SPEED_RANGE)),
  }),
  Type.Object({ kind: Type.Literal('sample'), voice: Type.String() }),
]);

export const ParseResult = Type.Object({
  kind: Type.Literal('parsed'),
  title: Type.String(),
  author: Type.Union([Type.String(), Type.Null()]),
  language: Type.String(),
  /** Chapters to synthesize (those with speakable text), in reading order. */
  chapters: Type.Array(Type.Integer({ minimum: 1 })),
  /** Object key of the cover image, for the audiobook's cover art. */
  coverKey: Type.Union([Type.String(), Type.Null()]),
});
export const TtsResult = Type.Object({
  kind: Type.Literal('chapter-audio'),
  n: Type.Integer({ minimum: 1 }),
  audioKey: Type.String(),
  durationSec: Type.Number({ minimum: 0 }),
});
export const MergeResult = Type.Object({
  kind: Type.Literal('audiobook'),
  audioKey: Type.String(),
  durationSec: Type.Number({ minimum: 0 }),
  chapters: Type.Integer({ minimum: 0 }),
  /** Parts made beside the whole (the book was longer than its `splitHours`). */
  parts: Type.Optional(Type.Integer({ minimum: 2 })),
});
export const FinalizeResult = Type.Object({ kind: Type.Literal('finalized') });
/** Where READY books may be pushed: `abs`, Audiobookshelf (when ABS_URL or ABS_LIBRARY_DIR is set). */
export const DELIVERY_TARGETS = ['abs'] as const;
export type DeliveryTarget = (typeof DELIVERY_TARGETS)[number];
export const DeliverPayload = Type.Object({
  bookId: BookId,
  target: Type.Union(DELIVERY_TARGETS.map((t) => Type.Literal(t))),
});
export const DeliverResult = Type.Object({
  kind: Type.Literal('delivered'),
  /** Where it went: the server's folder, or the library folder's path. */
  location: Type.String(),
});
export const VoiceInstallPayload = Type.Object({
  /** A catalogue id, engine-prefixed: `piper:en_US-joe-medium`, `kokoro:af_heart`. */
  voice: Type.String({ minLength: 1, maxLength: 200 }),
});
export const VoiceInstallResult = Type.Object({
  kind: Type.Literal('voice-installed'),
  voice: Type.String(),
  bytes: Type.Integer({ minimum: 0 }),
});
export const PreviewResult = Type.Object({
  kind: Type.Literal('preview'),
  audioKey: Type.String(),
  durationSec: Type.Number({ minimum: 0 }),
});

export type ParsePayload = Static<typeof ParsePayload>;
export type TtsPayload = Static<typeof TtsPayload>;
export type MergePayload = Static<typeof MergePayload>;
export type FinalizePayload = Static<typeof FinalizePayload>;
export type ParseResult = Static<typeof ParseResult>;
export type TtsResult = Static<typeof TtsResult>;
export type MergeResult = Static<typeof MergeResult>;
export type FinalizeResult = Static<typeof FinalizeResult>;
export type PreviewPayload = Static<typeof PreviewPayload>;
export type PreviewResult = Static<typeof PreviewResult>;
export type DeliverPayload = Static<typeof DeliverPayload>;
export type DeliverResult = Static<typeof DeliverResult>;
export type VoiceInstallPayload = Static<typeof VoiceInstallPayload>;
export type VoiceInstallResult = Static<typeof VoiceInstallResult>;

/** Payload and result schema of every job name. */
export const JOB_SCHEMAS = {
  'parse-epub': { payload: ParsePayload, result: ParseResult },
  'generate-audio': { payload: TtsPayload, result: TtsResult },
  'merge-audiobook': { payload: MergePayload, result: MergeResult },
  'finalize-book': { payload: FinalizePayload, result: FinalizeResult },
  'preview-audio': { payload: PreviewPayload, result: PreviewResult },
  'deliver-book': { payload: DeliverPayload, result: DeliverResult },
  'install-voice': { payload: VoiceInstallPayload, result: VoiceInstallResult },
} satisfies Record<JobName, { payload: TSchema; result: TSchema }>;

const compiled = new Map<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

function checker<T extends TSchema>(schema: T) {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checker(schema).Check(value);
}

/**
 * Validates data crossing the worker boundary. Invalid data can never become
 * valid by retrying, so it fails the job as non-retryable.
 */
export function parseOrReject<T extends TSchema>(
  schema: T,
  value: unknown,
  what: string,
): Static<T> {
  const c = checker(schema);
  if (c.Check(value)) return value;
  const first = [...c.Errors(value)][0];
  const where = first ? `${first.path || '/'}: ${first.message}` : 'invalid';
  throw new UnrecoverableError(`invalid ${what} (${where})`);
}
