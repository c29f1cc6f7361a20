import type { FlowJob, JobsOptions } from 'bullmq';
import { jobIds } from './job-ids.js';
import { JOB_OPTIONS, JOBS, QUEUES } from './queues.js';
import type { FinalizePayload, MergePayload, ParsePayload, TtsPayload } from './schemas.js';

/**
 * The job tree of one book:
 *
 *   finalize-book            (root: marks the book READY)
 *   └─ merge-audiobook       (orchestrator: adds one generate-audio per chapter
 *      ├─ parse-epub          once parse-epub is done, waits, then joins them)
 *      └─ generate-audio × N (added at run time by merge-audiobook)
 */
export function buildBookFlow(bookId: string): FlowJob {
  const parse: ParsePayload = { bookId };
  const merge: MergePayload = { bookId, step: 'start' };
  const finalize: FinalizePayload = { bookId };
  return {
    name: JOBS.finalizeBook,
    queueName: QUEUES.finalize,
    data: finalize,
    opts: { ...JOB_OPTIONS.finalize, jobId: jobIds.finalize(bookId) },
    children: [
      {
        name: JOBS.mergeAudiobook,
        queueName: QUEUES.merge,
        data: merge,
        opts: { ...JOB_OPTIONS.merge, jobId: jobIds.merge(bookId) },
        children: [
          {
            name: JOBS.parseEpub,
            queueName: QUEUES.parse,
            data: parse,
            opts: { ...JOB_OPTIONS.parse, jobId: jobIds.parse(bookId) },
          },
        ],
      },
    ],
  };
}

/**
 * A generate-audio child, attached to the merge job that adds it; `priority` (BullMQ's:
 * lower runs sooner) is its turn on the speech queue (src/books/chapter-schedule.ts).
 */
export function chapterJob(
  bookId: string,
  n: number,
  parent: { id: string; queue: string },
  priority?: number,
): { name: typeof JOBS.generateAudio; data: TtsPayload; opts: JobsOptions } {
  return {
    name: JOBS.generateAudio,
    data: { bookId, n },
    opts: {
      ...JOB_OPTIONS.tts,
      jobId: jobIds.chapter(bookId, n),
      parent,
      ...(priority === undefined ? {} : { priority }),
    },
  };
}
