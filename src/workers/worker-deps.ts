import type { FastifyBaseLogger } from 'fastify';
import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';
import type { AbsTarget } from '../delivery/audiobookshelf.js';
import type { ParsedBook, ReadOptions } from '../epub/parsed-book.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import type { Storage } from '../storage/storage.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import type { CatalogueSources } from '../voices/voice-catalogue.js';
import type { EngineBreaker } from './engine-breaker.js';

/** What processors may touch; each takes only the part it needs. */
export interface WorkerDeps {
  books: BookQueries;
  storage: Storage;
  /** What BullMQ does for a book beyond the job at hand (src/jobs/). */
  jobs: BookJobs;
  tts: TtsEngine;
  /** Reads an EPUB file into chapters, isolated from the worker (see parse-thread-pool.ts). */
  parseBook(file: string, read: ReadOptions, signal?: AbortSignal): Promise<ParsedBook>;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** Holds the speech queue back while the engine is down for everyone. */
  breaker: EngineBreaker;
  /** Where READY books are pushed when asked (Audiobookshelf); unset: nowhere. */
  delivery?: AbsTarget;
  /** Book changes as they happen (the cancel watcher wakes on them); unset: it polls only. */
  listen?: Database['listen'];
  /** This process's voices folder (DATA_DIR/voices) and where voices are installed from. */
  voices: { dir: string; sources: CatalogueSources };
}

/** A processor's own needs: some of WorkerDeps, and of the catalogue only the queries it makes. */
export type ProcessorDeps<
  Needs extends Exclude<keyof WorkerDeps, 'books'>,
  Queries extends keyof BookQueries,
> = Pick<WorkerDeps, Needs> & { books: Pick<BookQueries, Queries> };
