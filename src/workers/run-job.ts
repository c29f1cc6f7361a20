import type { Static, TSchema } from '@sinclair/typebox';
import {
  DelayedError,
  type Job,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
} from 'bullmq';
import { JOBS, parseOrReject } from '../../flows/index.js';
import { metrics } from '../metrics/metrics.js';
import { HAND_BACK } from '../queue/queue-backend.js';
import { failureClass } from './failure-class.js';
import { publicMessage } from './public-message.js';

/** The job's book was cancelled (DELETE /books/:id): not a failure of the book, and never retried. */
export class CancelledError extends UnrecoverableError {
  override name = 'CancelledError';
  constructor() {
    super('the book was cancelled');
  }
}

/** The worker is stopping and gives this unfinished job back to the queue (not a failure). */
export class HandBackError extends Error {
  override name = 'HandBackError';
}

/** The abort reason of a run whose job lock lapsed: another run has the job now (run-lock.ts). */
export const LOCK_LOST = 'job lock lost';

/**
 * This run lost its job's lock, and the job is another run's now: it stops, writes nothing
 * and leaves the job's state to that run (not a failure of the job).
 */
export class StaleRunError extends Error {
  override name = 'StaleRunError';
}

const abortError = (signal: AbortSignal) =>
  signal.reason === HAND_BACK
    ? new HandBackError('handed back')
    : signal.reason === LOCK_LOST
      ? new StaleRunError('the job lock was lost; another run has the job')
      : new CancelledError();

/** True when this failure ends the job for good: no attempts left, or not retryable at all. */
export function isFinalFailure(job: Job, err: unknown): boolean {
  if (err instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Where a job's failure is written in full (its public message is shortened and cleaned). */
export interface JobLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What a processor does with its job; runJob does the rest. */
export interface JobSpec<S extends TSchema, R> {
  payload: S;
  run(data: Static<S>): Promise<R>;
  /**
   * Runs inside the job, before BullMQ records the failure, so a book's status
   * never lags its jobs. `message` is the failure as a person may read it.
   */
  onFailure?(data: Static<S>, message: string, final: boolean): Promise<void>;
  /** Failures no retry can fix (a broken book, a refused request): the job fails at once. */
  isPermanent?(err: Error): boolean;
  /**
   * Whether a failure is not the job's own (the speech engine down for everyone); if so,
   * after putting the job's state back, the job returns to the queue unfailed, its attempt
   * unspent (BullMQ's RateLimitError), while the queue as a whole waits.
   */
  heldBack?(data: Static<S>, err: Error): Promise<boolean>;
}

/**
 * The boundary every processor goes through: the payload is validated (invalid
 * data fails as non-retryable); a failure is logged in full with its book and
 * job, told to `onFailure` and to BullMQ in a public form (publicMessage), and
 * made non-retryable when permanent, or given back unfailed when it is not the
 * job's own (`heldBack`). When the worker aborts the job, it ends
 * at once: with a CancelledError when its book was cancelled, a HandBackError
 * when the worker is stopping. The handler's own abort listeners stop its
 * child processes.
 */
export async function runJob<S extends TSchema, R>(
  job: Job,
  spec: JobSpec<S, R>,
  ctx: { signal?: AbortSignal; log: JobLog },
): Promise<R> {
  const data = parseOrReject(spec.payload, job.data, `${job.name} payload`);
  try {
    return await untilAborted(spec.run(data), ctx.signal);
  } catch (err) {
    const ends = [
      WaitingChildrenError,
      DelayedError,
      CancelledError,
      HandBackError,
      StaleRunError,
      RateLimitError,
    ];
    if (ends.some((kind) => err instanceof kind)) throw err;
    if (ctx.signal?.aborted) throw abortError(ctx.signal);
    const error = err instanceof Error ? err : new Error(String(err));
    if (await spec.heldBack?.(data, error)) throw new RateLimitError();
    const permanent = error instanceof UnrecoverableError || (spec.isPermanent?.(error) ?? false);
    const message = publicMessage(error);
    const where = { bookId: (data as { bookId?: string }).bookId, jobId: job.id };
    if (message !== error.message) ctx.log.warn({ ...where, err: error }, 'job failure in full');
    const final = permanent || isFinalFailure(job, error);
    metrics.failures.inc({ job_name: job.name, class: failureClass(error) });
    if (!final) metrics.retries.inc({ job_name: job.name });
    await spec.onFailure?.(data, message, final);
    if (final) ctx.log.error(where, `${failedWhat(job.name)} FAILED: ${message}`);
    const { name } = error; // read before `permanent` narrows the type (the classes look alike)
    if (permanent) throw new UnrecoverableError(message);
    throw Object.assign(new Error(message), { name });
  }
}

/**
 * What a job's final failure fails, as the log says it: the book for the steps of its flow;
 * a chapter (the book fails once no chapter still runs); a delivery or a preview, the book
 * untouched.
 */
function failedWhat(jobName: string): string {
  if (jobName === JOBS.generateAudio) return 'chapter';
  if (jobName === JOBS.deliverBook) return 'delivery';
  if (jobName === JOBS.previewAudio) return 'preview';
  return 'book';
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
