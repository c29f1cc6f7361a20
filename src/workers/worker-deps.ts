import type { FastifyBaseLogger } from 'fastify';
import type { BookQueries } from '../books/book-queries.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { Storage } from '../storage/storage.js';
import type { TtsEngine } from '../tts/tts-engine.js';

/** What processors may touch; each takes only the part it needs. */
export interface WorkerDeps {
  books: BookQueries;
  storage: Storage;
  queues: Pick<QueueBackend, 'queue'>;
  tts: TtsEngine;
  /** Longest text per synthesis request (the engine's input limit). */
  ttsMaxChars: number;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}
