import type { Job, Queue } from 'bullmq';
import { matches, PreviewResult } from '../../flows/index.js';
import { UnavailableError } from '../errors.js';

/** How long a caller waits for a speech worker to make a preview. */
const PREVIEW_WAIT_MS = 30_000;

/** Waits for the job's answer; a failed one is removed, so asking again tries again. */
export async function settled(queue: Queue, jobId: string): Promise<PreviewResult> {
  const deadline = Date.now() + PREVIEW_WAIT_MS;
  for (;;) {
    const job: Job | undefined = await queue.getJob(jobId);
    if (!job) throw new UnavailableError('the preview was lost on the way; ask again');
    const state = await job.getState();
    if (state === 'completed' && matches(PreviewResult, job.returnvalue)) return job.returnvalue;
    if (state === 'failed') {
      await job.remove().catch(() => {});
      throw new UnavailableError(`the preview could not be made: ${job.failedReason}`);
    }
    if (Date.now() > deadline)
      throw new UnavailableError(
        `no speech worker made the preview within ${PREVIEW_WAIT_MS / 1000} s; try again shortly`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
