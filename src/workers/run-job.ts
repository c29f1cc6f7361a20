import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { parseOrReject } from '../../flows/index.js';
import { HAND_BACK } from '../queue/queue-backend.js';

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

const abortError = (signal: AbortSignal) =>
  signal.reason === HAND_BACK ? new HandBackError('handed back') : new CancelledError();

/** True when this failure ends the job for good: no attempts left, or not retryable at all. */
export function isFinalFailure(job: Job, err: unknown): boolean {
  if (err instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * The boundary every processor goes through: the payload is validated (invalid
 * data fails as non-retryable), and `onFailure` runs inside the job, before
 * BullMQ records the failure, so a book's status never lags its jobs. When the
 * worker aborts the job, it ends at once: with a CancelledError when its book
 * was cancelled, a HandBackError when the worker is stopping. The handler's own
 * abort listeners stop its child processes.
 */
export async function runJob<S extends TSchema, R>(
  job: Job,
  schema: S,
  handler: (data: Static<S>) => Promise<R>,
  onFailure: (data: Static<S>, err: Error, final: boolean) => Promise<void>,
  signal?: AbortSignal,
): Promise<R> {
  const data = parseOrReject(schema, job.data, `${job.name} payload`);
  try {
    return await untilAborted(handler(data), signal);
  } catch (err) {
    const ends = [WaitingChildrenError, CancelledError, HandBackError];
    if (ends.some((kind) => err instanceof kind)) throw err;
    if (signal?.aborted) throw abortError(signal);
    const error = err instanceof Error ? err : new Error(String(err));
    await onFailure(data, error, isFinalFailure(job, error));
    throw error;
  }
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

/** A scratch directory that is removed however the work ends. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-'));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
