import type { Worker } from 'bullmq';
import type { Config } from '../config.js';
import { retryWhileUnavailable } from '../db/db-retry.js';
import { createParseThreadPool } from '../epub/parse-thread-pool.js';
import type { ReadOptions } from '../epub/parsed-book.js';
import type { Infrastructure } from '../runtime.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import { voicesDir } from '../tts/voice-folders.js';
import { startReconciler } from './book-reconciler.js';
import { startRetention } from './book-retention.js';
import { engineBreakerFor } from './engine-breaker.js';
import type { WorkerDeps } from './worker-deps.js';
import { startWorkers } from './worker-runtime.js';

/** What a worker process is told: its queues and their profiles, the parse, where books go. */
export type WorkerModeSettings = Pick<
  Config,
  | 'workerQueues'
  | 'workers'
  | 'stallCheckMs'
  | 'parse'
  | 'abs'
  | 'reconcile'
  | 'retentionDays'
  | 'dbRetryMs'
  | 'dataDir'
  | 'voiceSources'
>;

type Log = WorkerDeps['log'];

/**
 * What a worker process runs: the Workers of its queues and, where books finish, the
 * reconciler and retention. `stop()` ends what this started beside the queue backend's
 * Workers (the backend's close() stops those): the parse threads and the sweeps.
 */
export function startWorkerMode(
  settings: WorkerModeSettings,
  infra: Infrastructure,
  tts: TtsEngine,
  log: Log,
): { workers: Worker[]; stop(): Promise<void> } {
  log.info({ queues: settings.workerQueues, tts: tts.name }, 'starting workers');
  // A database outage delays a status write; it must not fail the job that makes it.
  const books = retryWhileUnavailable(infra.books, {
    deadlineMs: settings.dbRetryMs,
    onRetry: (method, err) =>
      log.warn({ err: err.message }, `database unavailable; retrying ${method}`),
  });
  const parser = createParseThreadPool(settings.parse);
  if (settings.workerQueues.includes('parse')) parser.warm();
  const parseBook = (file: string, read: ReadOptions, signal?: AbortSignal) =>
    parser.parse(file, settings.parse.limits, read, signal);
  const deps: WorkerDeps = {
    ...infra,
    books,
    tts,
    log,
    parseBook,
    listen: infra.database.listen,
    delivery: settings.abs,
    breaker: engineBreakerFor(tts, infra.queues, infra.database.db, log),
    voices: { dir: voicesDir(settings.dataDir), sources: settings.voiceSources },
  };
  const workers = startWorkers(infra.queues, deps, settings.workerQueues, settings);
  const sweeps: { stop(): void }[] = [];
  // The processes that finish books also look for books that will never finish, and purge
  // finished ones past RETENTION_DAYS.
  if (settings.workerQueues.includes('finalize')) {
    sweeps.push(startReconciler({ ...infra, books, log }, settings.reconcile));
    if (settings.retentionDays > 0)
      sweeps.push(startRetention({ ...infra, books, log }, settings.retentionDays));
  }
  return {
    workers,
    async stop() {
      for (const sweep of sweeps) sweep.stop();
      await parser.close();
    },
  };
}
