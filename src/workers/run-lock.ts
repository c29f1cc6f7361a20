import type { Job } from 'bullmq';
import { LOCK_LOST } from './run-job.js';

/**
 * Each run of a job keeps its own lock, and knows when it has lost it. BullMQ renews the
 * locks of a worker's jobs by job id, so when a job whose lock lapsed (a starved event loop:
 * 72 s at load 15 on two cores) is handed out again to the same worker, the older run's end
 * stops the renewal of the newer one, and nothing tells the older run to stop. Here:
 * - a run renews its own lock (`job.extendLock` with its own token) every third of the lock
 *   duration, and is aborted with LOCK_LOST as soon as a renewal finds the lock another's;
 * - a new run of a job in this process aborts the older one at once: its start proves the
 *   older one lost the lock.
 * The aborted run writes nothing (generate-audio fences its writes with its run, too).
 */
export function createRunLocks(lockMs: number, onLost: (job: Job) => void) {
  const runs = new Map<string, AbortController>();

  /** Runs `work` with a signal that aborts when BullMQ's does or when this run loses its lock. */
  async function hold<T>(
    job: Job,
    token: string | undefined,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const id = job.id as string;
    const own = new AbortController();
    runs.get(id)?.abort(LOCK_LOST);
    runs.set(id, own);
    const relay = () => own.abort(signal?.reason);
    signal?.addEventListener('abort', relay, { once: true });
    const lost = () => {
      if (own.signal.aborted) return;
      onLost(job);
      own.abort(LOCK_LOST);
    };
    const renew = async () => {
      if (token && (await job.extendLock(token, lockMs).catch(() => 1)) === 0) lost();
    };
    const timer = setInterval(() => void renew(), Math.max(250, Math.floor(lockMs / 3)));
    try {
      return await work(own.signal);
    } finally {
      clearInterval(timer);
      signal?.removeEventListener('abort', relay);
      if (runs.get(id) === own) runs.delete(id);
    }
  }

  return { hold };
}
