import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type DeliveryTarget, QUEUE_KEYS, type QueueKey } from '../../flows/index.js';
import type { ApiToken } from '../../src/access/principal.js';
import { openDatabase } from '../../src/db/database.js';
import type { AbsTarget } from '../../src/delivery/audiobookshelf.js';
import { DEFAULT_EPUB_LIMITS } from '../../src/epub/epub-limits.js';
import type { BookJobs } from '../../src/jobs/book-jobs.js';
import { buildApi } from '../../src/main.js';
import { openQueueBackend, type QueueBackend } from '../../src/queue/queue-backend.js';
import { assemble, type Infrastructure } from '../../src/runtime.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { type CatalogueSources, DEFAULT_SOURCES } from '../../src/voices/voice-catalogue.js';
import { startWorkerMode } from '../../src/workers/worker-mode.js';
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
  jobs: BookJobs;
  close(): Promise<void>;
}

/**
 * The API as `npm run api` builds it (main.ts buildApi), for `app.inject`: a database, a
 * Redis queue prefix and a storage folder of its own, all removed by close().
 */
export async function buildTestApp(
  opts: {
    tokens?: ApiToken[];
    maxUploadBytes?: number;
    bodyTimeoutMs?: number;
    /** An upload sending nothing this long is answered 408; 0 (the default here): never. */
    bodyIdleTimeoutMs?: number;
    metricsToken?: string;
    /** Where the queues live: Redis (default) or PostgreSQL, as on the embedded default. */
    queueBackend?: 'redis' | 'postgres';
    /** The engine whose voices the API offers (the workers' own, where a test checks voices). */
    engine?: TtsEngine;
    /** Where READY books may be pushed (the workers' `delivery` is told where). */
    deliveryTargets?: DeliveryTarget[];
    /** Where voices are installed from (a local mirror); Hugging Face by default. */
    voiceSources?: CatalogueSources;
  } = {},
): Promise<TestApp> {
  const [db, dir] = await Promise.all([createTestDatabase(), tempDir()]);
  const prefix = uniqueName('inproc');
  const infra = await openTestInfrastructure(db.url, dir, prefix, opts.queueBackend);
  const app = await buildApi(
    infra,
    opts.engine ?? createSilenceEngine(),
    {
      maxUploadBytes: opts.maxUploadBytes ?? 50 * 1024 * 1024,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? 0,
      bodyIdleTimeoutMs: opts.bodyIdleTimeoutMs ?? 0,
      apiTokens: opts.tokens ?? [],
      apiRateLimit: { max: 100_000, duration: 60_000 },
      metricsToken: opts.metricsToken,
      deliveryTargets: opts.deliveryTargets,
      voiceSources: opts.voiceSources ?? DEFAULT_SOURCES,
    },
    { logger: false },
  );
  return {
    app,
    dir,
    databaseUrl: db.url,
    queues: infra.queues,
    jobs: infra.jobs,
    async close() {
      await app.close();
      await infra.close();
      await Promise.all([db.drop(), clearRedisPrefix(prefix)]);
      // A worker stopped mid-job may still be finishing a file in it: retry (ENOTEMPTY).
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** The test's own database, queue namespace and storage folder, put together as main.ts does. */
async function openTestInfrastructure(
  databaseUrl: string,
  dir: string,
  namespace: string,
  backend: 'redis' | 'postgres' = 'redis',
): Promise<Infrastructure> {
  const database = await openDatabase(databaseUrl);
  const queues = await openQueueBackend({
    redisUrl: backend === 'postgres' ? undefined : REDIS_URL,
    databaseUrl,
    namespace,
  });
  const storage = createLocalStorage(path.join(dir, 'objects'));
  const close = async () => {
    await queues.close(1000);
    await database.close();
  };
  return assemble({ database, queues, storage, close }, 'fair');
}

/**
 * Real BullMQ Workers for every queue, in the test process, on the test app's own prefix
 * (as BullMQ's own tests run them), with the engine the test gives: started as a worker
 * process starts them (worker-mode.ts), with a database connection of their own.
 * `stop()` closes them; the app's close() removes their data.
 */
export async function startInProcessWorkers(
  t: TestApp,
  tts: TtsEngine,
  opts: {
    queues?: QueueKey[];
    ttsConcurrency?: number;
    delivery?: AbsTarget;
    /** Where voices are installed from (a local mirror); Hugging Face by default. */
    voiceSources?: CatalogueSources;
    /** A job's lock, and how often a lapsed one is looked for (10 s and 5 s by default). */
    lock?: { lockMs: number; stallCheckMs: number };
  } = {},
): Promise<{ stop(): Promise<void>; log: string[] }> {
  const database = await openDatabase(t.databaseUrl);
  const lines: string[] = [];
  const record = (obj: object, msg?: string) => {
    lines.push(
      `${msg ?? ''} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`,
    );
  };
  const log = { info: record, warn: record, error: record };
  const storage = createLocalStorage(path.join(t.dir, 'objects'));
  const infra = assemble({ database, queues: t.queues, storage, close: database.close }, 'fair');
  const profile = (k: QueueKey) => ({
    concurrency: k === 'tts' ? (opts.ttsConcurrency ?? 4) : 4,
    lockMs: opts.lock?.lockMs ?? 10_000,
  });
  const mode = startWorkerMode(
    {
      workerQueues: opts.queues ?? [...QUEUE_KEYS],
      workers: Object.fromEntries(QUEUE_KEYS.map((k) => [k, profile(k)])) as Record<
        QueueKey,
        ReturnType<typeof profile>
      >,
      stallCheckMs: opts.lock?.stallCheckMs ?? 5000,
      parse: { memoryMb: 256, timeoutMs: 20_000, limits: DEFAULT_EPUB_LIMITS },
      abs: opts.delivery,
      // No sweeps while a test runs: tests of the reconciler and retention call them.
      reconcile: { intervalMs: 3600_000, graceMs: 3600_000 },
      retentionDays: 0,
      dbRetryMs: 0,
      dataDir: t.dir,
      voiceSources: opts.voiceSources ?? DEFAULT_SOURCES,
    },
    infra,
    tts,
    log,
  );
  return {
    log: lines,
    async stop() {
      await Promise.all(mode.workers.map((w) => w.close(true)));
      await mode.stop();
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
