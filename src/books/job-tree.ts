import { Job } from 'bullmq';
import { JOB_QUEUE, JOBS, type JobName, jobIds, QUEUES } from '../../flows/index.js';
import type { QueueBackend } from '../queue/queue-backend.js';

export interface JobNode {
  id: string;
  name: string;
  queue: string;
  state: string;
  attemptsMade: number;
  attempts: number;
  progress: unknown;
  failedReason: string | null;
  timestamps: { created: number | null; processed: number | null; finished: number | null };
  children: JobNode[];
}

interface Slot {
  name: JobName;
  id: string;
}

/**
 * Reads a book's job tree without walking it: every id is known from the book
 * id and its chapter numbers, so all jobs are fetched at once (one batch of
 * reads, then one of states; ioredis pipelines each batch into a round trip).
 */
export async function readJobTree(
  queues: Pick<QueueBackend, 'queue'>,
  bookId: string,
  chapterNs: number[],
): Promise<JobNode> {
  const slots: Slot[] = [
    { name: JOBS.finalizeBook, id: jobIds.finalize(bookId) },
    { name: JOBS.mergeAudiobook, id: jobIds.merge(bookId) },
    { name: JOBS.parseEpub, id: jobIds.parse(bookId) },
    ...chapterNs.map((n) => ({ name: JOBS.generateAudio, id: jobIds.chapter(bookId, n) })),
  ];
  const jobs = await Promise.all(
    slots.map((s) => Job.fromId(queues.queue(JOB_QUEUE[s.name]), s.id)),
  );
  const states = await Promise.all(jobs.map((j) => (j ? j.getState() : 'missing')));
  const [root, merge, parse, ...chapters] = slots.map((slot, i) =>
    toNode(slot, jobs[i], states[i] ?? 'missing'),
  ) as [JobNode, JobNode, JobNode, ...JobNode[]];
  // Chapter jobs exist only once the orchestrator has added them.
  merge.children = [parse, ...chapters.filter((c) => c.state !== 'missing')];
  root.children = [merge];
  return root;
}

function toNode(slot: Slot, job: Job | undefined, state: string): JobNode {
  return {
    id: slot.id,
    name: slot.name,
    queue: QUEUES[JOB_QUEUE[slot.name]],
    state,
    attemptsMade: job?.attemptsMade ?? 0,
    attempts: job?.opts.attempts ?? 1,
    progress: job?.progress ?? 0,
    failedReason: job?.failedReason || null,
    timestamps: {
      created: job?.timestamp ?? null,
      processed: job?.processedOn ?? null,
      finished: job?.finishedOn ?? null,
    },
    children: [],
  };
}
