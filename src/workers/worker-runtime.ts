import { type Job, UnrecoverableError, type Worker, type WorkerOptions } from 'bullmq';
import { JOB_QUEUE, type JobName, type QueueKey } from '../../flows/index.js';
import type { TtsConfig } from '../config.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { type JobProcessor, PROCESSOR_FACTORIES } from './processors.js';
import type { WorkerDeps } from './worker-deps.js';

/** Light work (parse, finalize) runs wide; heavy work (speech, merge) as wide as the CPU allows. */
export function workerOptions(
  key: QueueKey,
  tts: Pick<TtsConfig, 'concurrency' | 'rateLimit'>,
): Omit<WorkerOptions, 'connection'> {
  const heavy = key === 'tts' || key === 'merge';
  return {
    concurrency: key === 'tts' ? tts.concurrency : heavy ? 2 : 8,
    // The limiter lives in the queue backend, so it holds across every worker process.
    ...(key === 'tts' && tts.rateLimit ? { limiter: tts.rateLimit } : {}),
    // A live worker renews its jobs' locks from its (unblocked) event loop; a dead worker's job
    // is retaken once its lock lapses and a stall check runs: within about 45 s.
    lockDuration: 30_000,
    stalledInterval: 15_000,
    maxStalledCount: 2,
  };
}

/**
 * Starts one Worker per queue in `queueKeys`: the only place in the codebase
 * that consumes a queue. The API process never calls this.
 */
export function startWorkers(
  backend: Pick<QueueBackend, 'worker'>,
  deps: WorkerDeps,
  queueKeys: QueueKey[],
  tts: Pick<TtsConfig, 'concurrency' | 'rateLimit'>,
): Worker[] {
  return queueKeys.map((key) => {
    const byName = new Map<string, JobProcessor>();
    for (const [name, queue] of Object.entries(JOB_QUEUE) as [JobName, QueueKey][]) {
      if (queue === key) byName.set(name, PROCESSOR_FACTORIES[name](deps));
    }
    const worker = backend.worker(
      key,
      (job: Job, token?: string) => {
        const processor = byName.get(job.name);
        if (!processor)
          throw new UnrecoverableError(`no processor for job "${job.name}" on this queue`);
        return processor(job, token);
      },
      workerOptions(key, tts),
    );
    worker.on('failed', (job, err) =>
      deps.log.warn(
        { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'job failed',
      ),
    );
    worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker error'));
    return worker;
  });
}
