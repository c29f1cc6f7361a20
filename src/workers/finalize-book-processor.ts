import type { Job } from 'bullmq';
import { FinalizePayload, type FinalizeResult, MergeResult, matches } from '../../flows/index.js';
import { runJob } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

/** The flow's root: the one place a book becomes READY (idempotently). */
export function createFinalizeProcessor({ books }: Pick<WorkerDeps, 'books'>) {
  return (job: Job) =>
    runJob(
      job,
      FinalizePayload,
      async ({ bookId }): Promise<FinalizeResult> => {
        const merged = Object.values(await job.getChildrenValues()).find((v) =>
          matches(MergeResult, v),
        );
        if (!merged) throw new Error('the merge step left no result');
        await books.advance(bookId, 'READY', {
          audioKey: merged.audioKey,
          durationSec: merged.durationSec,
          readyAt: new Date(),
        });
        return { kind: 'finalized' };
      },
      async ({ bookId }, err, final) => {
        if (final) await books.fail(bookId, `The audiobook could not be finalised: ${err.message}`);
      },
    );
}
