import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { QUEUE_KEYS, type QueueKey } from '../../flows/index.js';
import type { ApiToken } from '../../src/access/principal.js';
import type { DeliveryTarget } from '../../src/books/book-delivery.js';
import { createBookQueries } from '../../src/books/book-queries.js';
import { createBookService } from '../../src/books/book-service.js';
import { openDatabase } from '../../src/db/database.js';
import type { AbsTarget } from '../../src/delivery/audiobookshelf.js';
import { DEFAULT_EPUB_LIMITS } from '../../src/epub/epub-limits.js';
import { createParseThreadPool } from '../../src/epub/parse-thread-pool.js';
import { createEventHub } from '../../src/events/event-hub.js';
import { createEventQueries } from '../../src/events/event-queries.js';
import { buildApp } from '../../src/http/app.js';
import { watchQueuesAndBooks } from '../../src/metrics/metrics.js';
import { openQueueBackend, type QueueBackend } from '../../src/queue/queue-backend.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { createEngineOutages } from '../../src/tts/engine-outages.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { engineBreakerFor } from '../../src/workers/engine-breaker.js';
import { startWorkers } from '../../src/workers/worker-runtime.js';
import {
  clearRedisPrefix,
  createTestDatabase,
  REDIS_URL,
  tempDir,
  uniqueName,
} from './services.js';

export interface TestApp {
  app: FastifyInstance;
  dir: string;
  databaseUrl: string;
  queues: QueueBackend;
  close(): Promise<void>;
}

/**
 * The API as `npm run api` builds it, for `app.inject`: a database, a Redis
 * queue prefix and a storage folder of its own, all removed by close().
 */
export async function buildTestApp(
  opts: {
    tokens?: ApiToken[];
    maxUploadBytes?: number;
    bodyTimeoutMs?: number;
    metricsToken?: string;
    /** Where the queues live: Redis (default) or PostgreSQL, as on the embedded default. */
    queueBackend?: 'redis' | 'postgres';
    /** The engine whose voices the API offers (the workers' own, where a test checks voices). */
    engine?: TtsEngine;
    /** Where READY books may be pushed (the workers' `delivery` is told where). */
    deliveryTargets?: DeliveryTarget[];
  } = {},
): Promise<TestApp> {
  const [db, dir] = await Promise.all([createTestDatabase(), tempDir()]);
  const prefix = uniqueName('inproc');
  const database = await openDatabase(db.url);
  const queues = await openQueueBackend({
    redisUrl: opts.queueBackend === 'postgres' ? undefined : REDIS_URL,
    databaseUrl: db.url,
    namespace: prefix,
  });
  const storage = createLocalStorage(path.join(dir, 'objects'));
  const engine = opts.engine ?? createSilenceEngine();
  const maxUploadBytes = opts.maxUploadBytes ?? 50 * 1024 * 1024;
  const books = createBookQueries(database.db);
  watchQueuesAndBooks(queues, books);
  const service = createBookService({
    books,
    storage,
    queues,
    voices: engine.voices,
    maxUploadBytes,
    deliveryTargets: opts.deliveryTargets,
  });
  const events = createEventHub({
    listen: database.listen,
    events: createEventQueries(database.db),
    progress: books.progressOf,
  });
  await events.start();
  const app = await buildApp(
    {
      service,
      events,
      engine,
      maxUploadBytes,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? 0,
      readiness: {
        probes: { database: database.ping, queues: queues.ping, storage: storage.ping },
        engineOutage: createEngineOutages(database.db, engine.name).current,
      },
      access: { tokens: opts.tokens ?? [], rate: { max: 100_000, duration: 60_000 } },
      metricsToken: opts.metricsToken,
      dashboardQueues: queues,
    },
    { logger: false },
  );
  return {
    app,
    dir,
    databaseUrl: db.url,
    queues,
    async close() {
      await app.close();
      await queues.close(1000);
      await database.close();
      await Promise.all([db.drop(), clearRedisPrefix(prefix)]);
      // A worker stopped mid-job may still be finishing a file in it: retry (ENOTEMPTY).
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * Real BullMQ Workers for every queue, in the test process, on the test app's
 * own prefix (as BullMQ's own tests run them), with the engine the test gives.
 * `stop()` closes them; the app's close() removes their data.
 */
export async function startInProcessWorkers(
  t: TestApp,
  tts: TtsEngine,
  opts: { queues?: QueueKey[]; ttsConcurrency?: number; delivery?: AbsTarget } = {},
): Promise<{ stop(): Promise<void>; log: string[] }> {
  const database = await openDatabase(t.databaseUrl);
  const lines: string[] = [];
  const record = (obj: object, msg?: string) => {
    lines.push(
      `${msg ?? ''} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`,
    );
  };
  const log = { info: record, warn: record, error: record };
  const parser = createParseThreadPool({ memoryMb: 256, timeoutMs: 20_000 });
  const workers = startWorkers(
    t.queues,
    {
      books: createBookQueries(database.db),
      storage: createLocalStorage(path.join(t.dir, 'objects')),
      queues: t.queues,
      tts,
      ttsMaxChars: 6000,
      log,
      listen: database.listen,
      parseBook: (file, read) => parser.parse(file, DEFAULT_EPUB_LIMITS, read),
      scheduling: 'fair',
      breaker: engineBreakerFor(tts, t.queues, database.db, log),
      delivery: opts.delivery,
    },
    opts.queues ?? [...QUEUE_KEYS],
    {
      workers: Object.fromEntries(
        QUEUE_KEYS.map((k) => [
          k,
          { concurrency: k === 'tts' ? (opts.ttsConcurrency ?? 4) : 4, lockMs: 10_000 },
        ]),
      ) as Record<QueueKey, { concurrency: number; lockMs: number }>,
      stallCheckMs: 5000,
      tts: { rateLimit: undefined },
    },
  );
  return {
    log: lines,
    async stop() {
      await Promise.all(workers.map((w) => w.close(true)));
      await parser.close();
      await database.close();
    },
  };
}

/** Every route of one book, as a caller names them. */
export const bookRoutes = (id: string): ['GET' | 'POST' | 'DELETE', string][] => [
  ['GET', `/books/${id}`],
  ['GET', `/books/${id}/jobs`],
  ['GET', `/books/${id}/audio`],
  ['GET', `/books/${id}/chapters/1/audio`],
  ['POST', `/books/${id}/chapters/1/retry`],
  ['POST', `/books/${id}/retry`],
  ['DELETE', `/books/${id}`],
];

/** Uploads a file as a browser would (multipart field "file"), through `inject`. */
export async function injectUpload(
  app: FastifyInstance,
  file: string,
  headers: Record<string, string> = {},
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([await fs.readFile(file)]), path.basename(file));
  const req = new Request('http://x/books', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url: '/books',
    headers: { ...Object.fromEntries(req.headers), ...headers },
    payload: Buffer.from(await req.arrayBuffer()),
  });
}
