import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { BookId, type JobNode, JobNodeSchema } from '../../flows/index.js';
import { AUDIO_FORMATS } from '../audio/audio-format.js';
import { BOOK_STATUSES, CHAPTER_STATUSES, DELIVERY_STATES } from '../db/schema.js';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
});

export const BookIdParams = Type.Object({ id: BookId });
/**
 * A chapter number, 1 to 100000 (MAX_CHAPTERS' own ceiling), as the path segment it is:
 * Ajv's integer coercion would let "Infinity" and "1e309" through as numbers.
 */
export const ChapterParams = Type.Object({
  id: BookId,
  n: Type.String({ pattern: '^[1-9][0-9]{0,4}$|^100000$' }),
});

const Links = Type.Object({
  self: Type.String(),
  jobs: Type.String(),
  audio: Type.String(),
});

export const Accepted = Type.Object({
  id: Type.String(),
  status: Type.Union(BOOK_STATUSES.map((s) => Type.Literal(s))),
  links: Links,
});

const Progress = Type.Object({
  done: Type.Integer({ description: 'chapters done' }),
  total: Type.Integer({ description: 'chapters to read (skipped ones are not counted)' }),
  failed: Type.Integer({
    description: 'chapters failed for good; the book is FAILED once none runs',
  }),
  wordsDone: Type.Integer({ description: 'words of the chapters done (for a time left by words)' }),
  wordsTotal: Type.Integer({ description: 'words of the chapters to read' }),
});

const StoppedAt = {
  /** When it stopped moving: READY, FAILED, CANCELLED, or waiting in REVIEW; null while it moves. */
  stoppedAt: Nullable(Type.String({ format: 'date-time' })),
};

const BookSummary = Type.Object({
  id: Type.String(),
  status: Type.Union(BOOK_STATUSES.map((s) => Type.Literal(s))),
  title: Nullable(Type.String()),
  author: Nullable(Type.String()),
  progress: Progress,
  /** The uploaded file's name. */
  fileName: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  readyAt: Nullable(Type.String({ format: 'date-time' })),
  ...StoppedAt,
  links: Links,
});

/** A page of `GET /books` when the caller names no `limit`. */
export const LIST_LIMIT = 20;

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: LIST_LIMIT })),
    /** Opaque cursor from the previous page's `next`. */
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    /** Only books of this status. */
    status: Type.Optional(Type.Union(BOOK_STATUSES.map((s) => Type.Literal(s)))),
    /** Only books whose title contains this (any case). */
    q: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const BookList = Type.Object({
  books: Type.Array(BookSummary),
  next: Nullable(Type.String()),
});

export const ChapterView = Type.Object({
  n: Type.Integer(),
  title: Type.String(),
  status: Type.Union(CHAPTER_STATUSES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
  durationSec: Type.Union([Type.Number(), Type.Null()]),
  /** Whether it will be read: false for SKIPPED (its `error` says why). */
  included: Type.Boolean(),
  wordCount: Type.Integer({ minimum: 0 }),
  /** What reading it should take at its voice's measured pace and the book's speed (seconds). */
  estimatedSec: Type.Number({ minimum: 0 }),
  /** Its first words, so a reviewer can tell what it is. */
  excerpt: Type.String(),
  /** Where it starts in the audiobook (seconds), as the merge places it; null until DONE. */
  startSec: Type.Union([Type.Number(), Type.Null()]),
  /** While RUNNING: the share of its text read so far (per cent), once its worker tells. */
  percentDone: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
});

/** `PATCH /books/:id/chapters/:n` while the book is in REVIEW: either or both. */
export const ChapterEdit = Type.Object(
  {
    included: Type.Optional(Type.Boolean()),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Started = Type.Object({
  id: Type.String(),
  status: Type.Literal('GENERATING'),
  /** How many chapters will be read. */
  chapters: Type.Integer({ minimum: 1 }),
});

/** Where a READY book can be pushed (books/book-delivery.ts DeliveryTarget): Audiobookshelf. */
export const DeliveryTargetSchema = Type.Literal('abs');

/** A READY book's push to where people listen; a failed one never fails the book. */
export const DeliveryView = Type.Object({
  target: DeliveryTargetSchema,
  state: Type.Union(DELIVERY_STATES.map((s) => Type.Literal(s))),
  attempts: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
  /** Where it went, once DONE. */
  location: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
});

export const DeliveryRequest = Type.Object(
  { target: Type.Optional(DeliveryTargetSchema) },
  { additionalProperties: false },
);

export const DeliveryAccepted = Type.Object({
  target: DeliveryTargetSchema,
  state: Type.Literal('PENDING'),
});

export const BookView = Type.Object({
  id: Type.String(),
  status: Type.Union(BOOK_STATUSES.map((s) => Type.Literal(s))),
  title: Nullable(Type.String()),
  author: Nullable(Type.String()),
  language: Nullable(Type.String()),
  progress: Progress,
  error: Nullable(Type.String()),
  /** FAILED: POST here to retry every failed chapter and step (one chapter: its own `/retry`). */
  retry: Nullable(Type.String()),
  durationSec: Type.Union([Type.Number(), Type.Null()]),
  /** What hearing the chapters to read should take (seconds): the book's expected duration. */
  estimatedSec: Type.Number({ minimum: 0 }),
  /** Null until parsing picks the voice for the book's language (when the upload chose none). */
  voice: Nullable(Type.String()),
  /** Reads what is inside quotation marks; null: the voice reads it all. */
  dialogueVoice: Nullable(Type.String()),
  speed: Type.Number(),
  format: Type.Union(AUDIO_FORMATS.map((f) => Type.Literal(f))),
  /** 1 (soonest) to 10, 5 by default: the book's turn on the speech queue. */
  priority: Type.Integer({ minimum: 1, maximum: 10 }),
  /** Word → what is said instead: the owner's lexicon at upload, with the upload's over it. */
  lexicon: Type.Record(Type.String(), Type.String()),
  /** Longer than this many hours, it is also delivered in parts; null: whole only. */
  splitHours: Nullable(Type.Number()),
  /** How many parts it was delivered in (GET /books/:id/parts/:n/audio, /parts.zip); null: none. */
  parts: Nullable(Type.Integer({ minimum: 2 })),
  /** False: the book stops at REVIEW once parsed, until POST /books/:id/start. */
  autostart: Type.Boolean(),
  /** How the upload asked the book to be read. */
  readOptions: Type.Object({
    altText: Type.Boolean(),
    boilerplate: Type.Union([Type.Literal('skip'), Type.Literal('keep')]),
  }),
  fileName: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  ...StoppedAt,
  chapters: Type.Array(ChapterView),
  /** What of the book is not used, and why. */
  leftOut: Type.Array(Type.String()),
  deliveries: Type.Array(DeliveryView),
  links: Links,
});

export { JobNodeSchema };

/** A stored file's bytes, streamed as they are stored. */
const FileBody = Type.Unsafe<NodeJS.ReadableStream>({ type: 'string', format: 'binary' });

/** A file answer, documented with the content types it is sent as (one per format). */
const fileAnswer = (...types: string[]) => ({
  content: Object.fromEntries(types.map((t) => [t, { schema: FileBody }])),
});
const AUDIO_TYPES = { '.m4b': 'audio/mp4', '.m4a': 'audio/mp4', '.mp3': 'audio/mpeg' };
/** What a stored file is sent as, by the extension its object key has (audio-routes.ts). */
export const FILE_TYPES: Record<string, string> = { ...AUDIO_TYPES, '.zip': 'application/zip' };
/** Stored audio: m4b and m4a as audio/mp4, mp3 as audio/mpeg. */
export const AudioAnswer = fileAnswer(...new Set(Object.values(AUDIO_TYPES)));
/** A book's parts in one zip. */
export const ZipAnswer = fileAnswer('application/zip');
export const EpubAnswer = fileAnswer('application/epub+zip');

export const VoiceList = Type.Object({
  engine: Type.String(),
  default: Type.String(),
  voices: Type.Array(
    Type.Object({ id: Type.String(), language: Nullable(Type.String()), engine: Type.String() }),
  ),
});

export const Retried = Type.Object({ retried: Type.Array(Type.String()) });

export const Cancelled = Type.Object({
  id: Type.String(),
  status: Type.Literal('CANCELLED'),
  /** Present, true, when the record went too (`?purge=true`). */
  purged: Type.Optional(Type.Boolean()),
});

/** `DELETE /books/:id?purge=true` also removes the record, its chapters and its idempotency key. */
export const CancelQuery = Type.Object(
  { purge: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const UploadHeaders = Type.Object({
  /** The same key from the same token answers with the same book and starts no second flow. */
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export type BookViewT = Static<typeof BookView>;
export type ChapterViewT = Static<typeof ChapterView>;
export type { JobNode };
