import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Static, TSchema } from '@sinclair/typebox';
import { type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { parseOrReject } from '../../flows/index.js';

/** True when this failure ends the job for good: no attempts left, or not retryable at all. */
export function isFinalFailure(job: Job, err: unknown): boolean {
  if (err instanceof UnrecoverableError) return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * The boundary every processor goes through: the payload is validated (invalid
 * data fails as non-retryable), and `onFailure` runs inside the job, before
 * BullMQ records the failure, so a book's status never lags its jobs.
 */
export async function runJob<S extends TSchema, R>(
  job: Job,
  schema: S,
  handler: (data: Static<S>) => Promise<R>,
  onFailure: (data: Static<S>, err: Error, final: boolean) => Promise<void>,
): Promise<R> {
  const data = parseOrReject(schema, job.data, `${job.name} payload`);
  try {
    return await handler(data);
  } catch (err) {
    if (err instanceof WaitingChildrenError) throw err;
    const error = err instanceof Error ? err : new Error(String(err));
    await onFailure(data, error, isFinalFailure(job, error));
    throw error;
  }
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
