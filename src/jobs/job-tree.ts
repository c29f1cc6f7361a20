import { Job } from 'bullmq';
import { JOB_OPTIONS, JOB_QUEUE, type JobNode, QUEUES } from '../../flows/index.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { bookSteps, chapterStep, type Step } from './book-steps.js';

/** A step of the tree, and the record of its chapter (a trimmed job is told from it). */
type Slot = Step & { chapter?: ChapterRow };

/** Jobs read per batch: one pipelined round trip for the jobs, one for their states. */
const BATCH = 100;

/**
 * Reads a book's job tree without walking it: every id is known from the book
 * id and its chapter numbers, so jobs are fetched by id in batches (ioredis
 * pipelines each batch of reads, then of states, into a round trip). Between
 * batches the event loop is let go, so a 1000-chapter tree being read never
 * holds up the other requests for long.
 * A READY book's jobs are trimmed from the queue backend once it is finished
 * (see finalize-book-processor.ts); its tree is then told from its records.
 */
export async function readJobTree(
  queues: Pick<QueueBackend, 'queue'>,
  book: Pick<BookRow, 'id' | 'status'>,
  chapters: ChapterRow[],
): Promise<JobNode> {
  const bookId = book.id;
  const slots: Slot[] = [
    ...bookSteps(bookId),
    ...chapters
      .filter((c) => c.status !== 'SKIPPED')
      .map((c) => ({ ...chapterStep(bookId, c.n), chapter: c })),
  ];
  const gone = book.status === 'READY' ? 'completed' : 'missing';
  const jobs: (Job | undefined)[] = [];
  const states: string[] = [];
  for (let i = 0; i < slots.length; i += BATCH) {
    if (i > 0) await new Promise((r) => setImmediate(r));
    const found = await Promise.all(
      slots.slice(i, i + BATCH).map((s) => Job.fromId(queues.queue(JOB_QUEUE[s.name]), s.id)),
    );
    jobs.push(...found);
    states.push(...(await Promise.all(found.map((j) => (j ? j.getState() : gone)))));
  }
  const [root, merge, parse, ...chapterNodes] = slots.map((slot, i) =>
    toNode(slot, jobs[i], states[i] ?? gone),
  ) as [JobNode, JobNode, JobNode, ...JobNode[]];
  // Chapter jobs exist only once the orchestrator has added them.
  merge.children = [parse, ...chapterNodes.filter((c) => c.state !== 'missing')];
  root.children = [merge];
  return root;
}

function toNode(slot: Slot, job: Job | undefined, state: string): JobNode {
  // A trimmed chapter job is told from its chapter's record.
  const record = job ? undefined : slot.chapter;
  const created = job?.timestamp ?? null;
  const processed = job?.processedOn ?? record?.startedAt?.getTime() ?? null;
  return {
    id: slot.id,
    name: slot.name,
    queue: QUEUES[JOB_QUEUE[slot.name]],
    state,
    attemptsMade: job?.attemptsMade ?? record?.attempts ?? 0,
    attempts: job?.opts.attempts ?? JOB_OPTIONS[JOB_QUEUE[slot.name]].attempts ?? 1,
    progress: job?.progress ?? (state === 'completed' ? 100 : 0),
    failedReason: job?.failedReason || null,
    timestamps: {
      created,
      // The PostgreSQL backend stamps a job's start with the time its worker asked for work,
      // which can be a few ms before another process added the job: never shown before it.
      processed: processed !== null && created !== null ? Math.max(processed, created) : processed,
      finished: job?.finishedOn ?? record?.finishedAt?.getTime() ?? null,
    },
    children: [],
  };
}
