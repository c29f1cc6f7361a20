import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { retryWhileUnavailable } from '../db/db-retry.js';
import type { ReadOptions } from '../epub/epub-parser.js';
import { createParseThreadPool } from '../epub/parse-thread-pool.js';
import type { Infrastructure } from '../runtime.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import { startReconciler } from './book-reconciler.js';
import { startRetention } from './book-retention.js';
import { engineBreakerFor } from './engine-breaker.js';
import { startWorkers } from './worker-runtime.js';

/** What a worker process runs: the Workers of its queues and, where books finish, the reconciler. */
export function startWorkerMode(
  config: Config,
  infra: Infrastructure,
  tts: TtsEngine,
  log: FastifyBaseLogger,
): void {
  log.info({ queues: config.workerQueues, tts: tts.name }, 'starting workers');
  // A database outage delays a status write; it must not fail the job that makes it.
  const books = retryWhileUnavailable(infra.books, {
    deadlineMs: config.dbRetryMs,
    onRetry: (method, err) =>
      log.warn({ err: err.message }, `database unavailable; retrying ${method}`),
  });
  const parser = createParseThreadPool(config.parse);
  if (config.workerQueues.includes('parse')) parser.warm();
  const parseBook = (file: string, read: ReadOptions, signal?: AbortSignal) =>
    parser.parse(file, config.parse.limits, read, signal);
  startWorkers(
    infra.queues,
    {
      ...infra,
      books,
      tts,
      ttsMaxChars: config.tts.maxChars,
      log,
      parseBook,
      listen: infra.database.listen,
      scheduling: config.scheduling,
      delivery: config.abs,
      breaker: engineBreakerFor(tts, infra.queues, infra.database.db, log),
    },
    config.workerQueues,
    config,
  );
  // The processes that finish books also look for books that will never finish, and purge
  // finished ones past RETENTION_DAYS.
  if (!config.workerQueues.includes('finalize')) return;
  startReconciler({ ...infra, books, log, scheduling: config.scheduling }, config.reconcile);
  if (config.retentionDays > 0) startRetention({ ...infra, books, log }, config.retentionDays);
}
