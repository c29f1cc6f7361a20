import { createHash } from 'node:crypto';

/**
 * Deterministic job ids: the same book always yields the same ids, so re-adding
 * a job is a no-op and the job tree can be read without walking it.
 * BullMQ ids may not contain ':' (and must not be plain integers).
 */
export const jobIds = {
  finalize: (bookId: string) => `${bookId}-finalize`,
  merge: (bookId: string) => `${bookId}-merge`,
  parse: (bookId: string) => `${bookId}-parse`,
  chapter: (bookId: string, n: number) => `${bookId}-ch-${n}`,
  /** One delivery of a book to a target at a time. */
  delivery: (bookId: string, target: string) => `${bookId}-deliver-${target}`,
  /** One install of a voice at a time (a ':' is not allowed in a BullMQ job id). */
  voiceInstall: (voice: string) => `voice-${voice.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
  /** One per distinct request, so the same preview asked twice is made once. */
  preview: (request: unknown[]) => `preview-${requestHash(request)}`,
};

/** A short, stable name for what a request asks (JSON of its parts). */
export const requestHash = (parts: unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

/**
 * The one rule for book ids: they become part of job ids and object keys, so
 * only a safe alphabet is allowed. Payload schemas and the API's parameters use it.
 */
export const BOOK_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
