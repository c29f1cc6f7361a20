import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ApiToken } from '../../src/access/principal.js';
import { createBookQueries } from '../../src/books/book-queries.js';
import { createBookService } from '../../src/books/book-service.js';
import { openDatabase } from '../../src/db/database.js';
import { buildApp } from '../../src/http/app.js';
import { openQueueBackend, type QueueBackend } from '../../src/queue/queue-backend.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
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
  opts: { tokens?: ApiToken[]; maxUploadBytes?: number; bodyTimeoutMs?: number } = {},
): Promise<TestApp> {
  const [db, dir] = await Promise.all([createTestDatabase(), tempDir()]);
  const prefix = uniqueName('inproc');
  const database = await openDatabase(db.url);
  const queues = await openQueueBackend({
    redisUrl: REDIS_URL,
    databaseUrl: db.url,
    namespace: prefix,
  });
  const storage = createLocalStorage(path.join(dir, 'objects'));
  const engine = createSilenceEngine();
  const maxUploadBytes = opts.maxUploadBytes ?? 50 * 1024 * 1024;
  const service = createBookService({
    books: createBookQueries(database.db),
    storage,
    queues,
    voices: engine.voices,
    maxUploadBytes,
  });
  const app = await buildApp(
    {
      service,
      engine,
      maxUploadBytes,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? 0,
      readiness: { database: database.ping, queues: queues.ping, storage: storage.ping },
      access: { tokens: opts.tokens ?? [], rate: { max: 100_000, duration: 60_000 } },
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
      const fs = await import('node:fs/promises');
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
