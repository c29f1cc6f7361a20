import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { type BookQueries, createBookQueries } from './books/book-queries.js';
import type { Config } from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { type Database, openDatabase } from './db/database.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { type BookJobs, createBookJobs, type Scheduling } from './jobs/book-jobs.js';
import { openQueueBackend, type QueueBackend } from './queue/queue-backend.js';
import { createLocalStorage } from './storage/local-storage.js';
import { createS3Storage } from './storage/s3-storage.js';
import type { Storage } from './storage/storage.js';
import { startTracing } from './tracing.js';

/** The infrastructure every process mode shares: database, storage, queue clients. */
export interface Infrastructure {
  database: Database;
  books: BookQueries;
  storage: Storage;
  queues: QueueBackend;
  /** What BullMQ does for a book (src/jobs/), on `queues`, with the catalogue's turns. */
  jobs: BookJobs;
  close(): Promise<void>;
}

/** What was opened, put together: the one wiring of queries and jobs, for main and tests alike. */
export function assemble(
  opened: Pick<Infrastructure, 'database' | 'storage' | 'queues' | 'close'>,
  scheduling: Scheduling,
): Infrastructure {
  const books = createBookQueries(opened.database.db);
  const jobs = createBookJobs({ queues: opened.queues, turns: books, scheduling });
  return { ...opened, books, jobs };
}

export async function openInfrastructure(
  config: Config,
  log: FastifyBaseLogger,
): Promise<Infrastructure> {
  const stops: [string, () => Promise<void>][] = [];
  const close = async () => {
    for (const [name, stop] of stops) {
      log.info(`closing ${name}`);
      await stop().catch((err: Error) => log.warn({ err: err.message }, `closing ${name} failed`));
    }
  };
  try {
    return await open(config, log, stops, close);
  } catch (err) {
    // A start that fails halfway stops what it had started (the embedded PostgreSQL above all).
    await close();
    throw err;
  }
}

async function open(
  config: Config,
  log: FastifyBaseLogger,
  stops: [string, () => Promise<void>][],
  close: () => Promise<void>,
): Promise<Infrastructure> {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const release = await lockDataDir(config.dataDir, `http://${config.host}:${config.port}`);
    stops.push(['DATA_DIR lock', release]);
    const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'), (m) =>
      log.info(m),
    );
    log.info('no DATABASE_URL: using an embedded PostgreSQL under DATA_DIR');
    databaseUrl = embedded.url;
    stops.unshift(['embedded postgres', embedded.stop]);
  }
  const database = await openDatabase(databaseUrl);
  stops.unshift(['database', database.close]);
  const tracing = startTracing(config.otlpEndpoint, 'bookflow');
  if (tracing) stops.push(['tracing', tracing.shutdown]);
  const queues = await openQueueBackend({
    redisUrl: config.redisUrl,
    redisCluster: config.redisCluster,
    databaseUrl,
    namespace: config.queuePrefix,
    telemetry: tracing?.telemetry,
  });
  // Leave a little of SHUTDOWN_TIMEOUT for the steps after the workers.
  const graceMs = Math.max(1000, config.shutdownTimeoutMs - 5000);
  stops.unshift(['queues', () => queues.close(graceMs)]);
  if (!config.redisUrl) log.info('no REDIS_URL: queues live in PostgreSQL');
  const storage = config.s3
    ? createS3Storage(config.s3)
    : createLocalStorage(path.join(config.dataDir, 'objects'));
  return assemble({ database, storage, queues, close }, config.scheduling);
}
