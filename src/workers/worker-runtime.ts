import {
  DelayedError,
  type Job,
  UnrecoverableError,
  type Worker,
  type WorkerOptions,
} from 'bullmq';
import { JOB_QUEUE, type JobName, type QueueKey } from '../../flows/index.js';
import { discardBook } from '../books/book-discard.js';
import type { Config } from '../config.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import { createCancelWatcher } from './cancel-watcher.js';
import { type JobProcessor, PROCESSOR_FACTORIES } from './processors.js';
import { CancelledError, HandBackError, StaleRunError } from './run-job.js';
import { createRunLocks } from './run-lock.js';
import type { WorkerDeps } from './worker-deps.js';

export type WorkerSettings = Pick<Config, 'workers' | 'stallCheckMs'>;

/** A limiter that never limits (a million chapters a second), for the breaker's hold. */
const NO_RATE_LIMIT = { max: 1_000_000, duration: 1000 };

/** One queue's worker options, from its profile (light: parse, finalize; heavy: speech, merge). */
export function workerOptions(
  key: QueueKey,
  settings: WorkerSettings,
  tts: Pick<TtsEngine, 'rateLimit'>,
): Omit<WorkerOptions, 'connection'> {
  return {
    concurrency: settings.workers[key].concurrency,
    // The limiter lives in the queue backend, so it holds across every worker process. The
    // speech queue always has one: BullMQ honours a queue-wide hold (queue.rateLimit, which
    // the engine breaker uses) only on workers with a limiter.
    ...(key === 'tts' ? { limiter: tts.rateLimit ?? NO_RATE_LIMIT } : {}),
    // A live worker renews its jobs' locks from its event loop, which heavy work leaves free
    // (it runs in child processes and threads of lower priority), and each run renews its own
    // too (run-lock.ts). A killed worker's job is retaken after lockDuration + stalledInterval.
    lockDuration: settings.workers[key].lockMs,
    stalledInterval: settings.stallCheckMs,
    maxStalledCount: 2,
  };
}

/** Aborts this process's jobs of cancelled books (see cancel-watcher.ts). */
function cancelWatcherFor(deps: WorkerDeps) {
  const onError = (err: Error) =>
    deps.log.warn({ err: err.message }, 'could not check for cancelled books');
  return createCancelWatcher(deps.books, onError, { listen: deps.listen });
}

/** Logs a job's failure; a job aborted by its book's cancel removes what the cancel left. */
function onFailed(deps: WorkerDeps, job: Job | undefined, err: Error): void {
  if (!(err instanceof CancelledError)) {
    const { bookId } = job?.data ?? {};
    const where = { bookId, jobId: job?.id, attempts: job?.attemptsMade, err: err.message };
    deps.log.warn(where, `${job?.name ?? 'job'} failed: ${err.message}`);
    return;
  }
  deps.log.info({ jobId: job?.id }, 'job aborted: its book was cancelled');
  discardCancelled(deps, job);
}

/**
 * Now that a job of a cancelled book has stopped, what the cancel could not remove (it was
 * running) can go. Called however the job ended: one that was finishing as the cancel came
 * completes rather than fails, and it may be the last of its book to stop.
 */
function discardCancelled(deps: WorkerDeps, job: Job | undefined): void {
  discardBook(deps, String(job?.data?.bookId)).catch((e: Error) =>
    deps.log.warn({ err: e.message }, 'could not remove a cancelled book'),
  );
}

/**
 * Starts one Worker per queue in `queueKeys`: the only place in the codebase
 * that consumes a queue. The API process never calls this.
 */
export function startWorkers(
  backend: Pick<QueueBackend, 'worker'>,
  deps: WorkerDeps,
  queueKeys: QueueKey[],
  settings: WorkerSettings,
): Worker[] {
  const watcher = cancelWatcherFor(deps);
  const workers = queueKeys.map((key) => {
    const byName = new Map<string, JobProcessor>();
    for (const [name, queue] of Object.entries(JOB_QUEUE) as [JobName, QueueKey][]) {
      if (queue === key) byName.set(name, PROCESSOR_FACTORIES[name](deps));
    }
    // Jobs of cancelled books told to stop, until they have (see discardCancelled).
    const aborted = new Set<string>();
    const locks = createRunLocks(settings.workers[key].lockMs, (job) =>
      deps.log.warn({ jobId: job.id }, 'job lock lost: this run stops, another has the job'),
    );
    const worker = backend.worker(
      key,
      // Three parameters: BullMQ passes an AbortSignal only to processors that declare it.
      (job: Job, token?: string, signal?: AbortSignal) => {
        const processor = byName.get(job.name);
        if (!processor)
          throw new UnrecoverableError(`no processor for job "${job.name}" on this queue`);
        const abort = () => {
          aborted.add(job.id as string);
          worker.cancelJob(job.id as string, 'book cancelled');
        };
        return watcher
          .track(job.id as string, String(job.data?.bookId), abort, () =>
            locks.hold(job, token, signal, (held) => processor(job, token, held)),
          )
          .catch(async (err) => {
            // The job is another run's now: its state is left to that run.
            if (err instanceof StaleRunError) throw new DelayedError();
            if (!(err instanceof HandBackError) || !token) throw err;
            // Back to the queue at once, attempts untouched: a stop is not the job's failure.
            await job.moveToDelayed(Date.now(), token);
            throw new DelayedError();
          });
      },
      workerOptions(key, settings, deps.tts),
    );
    worker.on('failed', (job, err) => {
      aborted.delete(job?.id as string);
      onFailed(deps, job, err);
    });
    worker.on('completed', (job) => {
      if (aborted.delete(job.id as string)) discardCancelled(deps, job);
    });
    worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker error'));
    return worker;
  });
  workers[0]?.once('closing', () => {
    watcher.stop();
    deps.breaker.stop();
  });
  return workers;
}
