import type { Job } from 'bullmq';
import {
  FinalizePayload,
  type FinalizeResult,
  type JobNode,
  MergeResult,
  matches,
} from '../../flows/index.js';
import { requestDelivery } from '../books/book-delivery.js';
import { fitted } from '../errors.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

/**
 * The flow's root: the one place a book becomes READY (idempotently). A READY
 * book's jobs are then trimmed from the queue backend (this root goes with
 * removeOnComplete), so finished books cost the backend nothing; its job tree
 * is recorded in PostgreSQL first, beside its chapters' attempts and timings.
 */
export function createFinalizeProcessor({
  books,
  jobs,
  log,
}: ProcessorDeps<
  'jobs' | 'log',
  'getBook' | 'getChapters' | 'advance' | 'fail' | 'saveJobHistory' | 'deliveryRequested'
>) {
  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: FinalizePayload,
        async run({ bookId }): Promise<FinalizeResult> {
          const merged = Object.values(await job.getChildrenValues()).find((v) =>
            matches(MergeResult, v),
          );
          if (!merged) throw new Error('the merge step left no result');
          const chapters = await books.getChapters(bookId);
          const tree = await jobs.readTree({ id: bookId, status: 'MERGING' }, chapters);
          await books.saveJobHistory(bookId, asFinished(tree, job));
          await books.advance(bookId, 'READY', {
            audioKey: merged.audioKey,
            durationSec: merged.durationSec,
            partCount: merged.parts ?? null,
            readyAt: new Date(),
          });
          await jobs.trimFinished(bookId);
          const book = await books.getBook(bookId);
          // Asked for at upload (deliver=abs): pushed on its own, so a failed push never fails the book.
          if (book?.deliverTo === 'abs') await requestDelivery({ books, jobs }, bookId, 'abs');
          const wallSec = book ? Math.round((Date.now() - book.createdAt.getTime()) / 1000) : null;
          const { title = null } = book ?? {};
          log.info({ bookId, title, durationSec: merged.durationSec, wallSec }, 'book READY');
          return { kind: 'finalized' };
        },
        async onFailure({ bookId }, message, final) {
          if (final)
            await books.fail(bookId, fitted('The audiobook could not be finalised: ', message));
        },
      },
      { signal, log },
    );
}

/** The tree as it will be once this root job completes (it is still running as it is read). */
function asFinished(root: JobNode, job: Job): JobNode {
  return {
    ...root,
    state: 'completed',
    attemptsMade: job.attemptsMade + 1,
    progress: 100,
    timestamps: { ...root.timestamps, finished: Date.now() },
  };
}
