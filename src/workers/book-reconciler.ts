import { Job } from 'bullmq';
import {
  buildBookFlow,
  chapterJob,
  JOB_QUEUE,
  JOBS,
  type JobName,
  jobIds,
} from '../../flows/index.js';
import type { BookQueries } from '../books/book-queries.js';
import type { BookRow } from '../db/schema.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { WorkerDeps } from './worker-deps.js';

type Deps = Pick<WorkerDeps, 'log'> & {
  books: BookQueries;
  queues: Pick<QueueBackend, 'queue' | 'flowProducer'>;
};

/** What a sweep did: books whose jobs were re-submitted, and books it failed. */
export interface Sweep {
  resubmitted: string[];
  failed: string[];
}

/** Books looked at per sweep; the oldest first, and each looked-at book goes to the back. */
const BATCH = 100;

/**
 * Finds books whose status says "in progress" but that have not moved for
 * `graceMs`, and compares them with their jobs: a book whose jobs are gone has
 * them re-submitted (finished chapters are not spoken again); a book with a
 * job that failed for good is marked FAILED with that job's reason. Every step
 * is idempotent, so several workers may sweep at once.
 */
export async function reconcileOnce(deps: Deps, graceMs: number): Promise<Sweep> {
  const sweep: Sweep = { resubmitted: [], failed: [] };
  for (const book of await deps.books.staleInProgress(graceMs, BATCH)) {
    const problem = await inspect(deps, book);
    if (problem?.kind === 'failed') {
      if (await deps.books.fail(book.id, problem.reason)) sweep.failed.push(book.id);
    } else {
      if (problem?.kind === 'gone') {
        await resubmit(deps, book.id, problem);
        sweep.resubmitted.push(book.id);
      }
      await deps.books.touch(book.id);
    }
  }
  if (sweep.resubmitted.length + sweep.failed.length > 0) deps.log.warn(sweep, 'reconciled books');
  return sweep;
}

type Problem =
  | { kind: 'failed'; reason: string }
  | { kind: 'gone'; flow: boolean; chapters: number[] };

async function inspect(deps: Deps, book: BookRow): Promise<Problem | undefined> {
  const job = (name: JobName, id: string) => Job.fromId(deps.queues.queue(JOB_QUEUE[name]), id);
  const retry = `Retry it with POST /books/${book.id}/retry`;
  const steps: [JobName, string, string][] = [
    [JOBS.finalizeBook, jobIds.finalize(book.id), 'The audiobook could not be finalised'],
    [JOBS.mergeAudiobook, jobIds.merge(book.id), 'The chapters could not be joined'],
    [JOBS.parseEpub, jobIds.parse(book.id), 'The EPUB could not be read'],
  ];
  const found = await Promise.all(steps.map(([name, id]) => job(name, id)));
  if (!found[0]) return { kind: 'gone', flow: true, chapters: [] };
  // Each state read once, all at once (one pipelined round trip on Redis).
  const states = await Promise.all(found.map((j) => j?.getState()));
  const failedStep = states.indexOf('failed');
  if (failedStep >= 0)
    return {
      kind: 'failed',
      reason: `${steps[failedStep]?.[2]}: ${found[failedStep]?.failedReason}. ${retry}`,
    };
  if (states[1] !== 'waiting-children') return undefined;
  // The orchestrator is waiting for its chapters: each unfinished one must have a live job.
  const open = (await deps.books.getChapters(book.id)).filter(
    (c) => c.status !== 'DONE' && c.status !== 'SKIPPED',
  );
  const jobs = await Promise.all(
    open.map((c) => job(JOBS.generateAudio, jobIds.chapter(book.id, c.n))),
  );
  const chapterStates = await Promise.all(jobs.map((j) => j?.getState()));
  const missing: number[] = [];
  for (const [i, c] of open.entries()) {
    if (!jobs[i]) missing.push(c.n);
    else if (chapterStates[i] === 'failed') {
      return {
        kind: 'failed',
        reason:
          `Chapter ${c.n} ("${c.title}") failed: ${jobs[i]?.failedReason}. ` +
          `Retry it with POST /books/${book.id}/chapters/${c.n}/retry`,
      };
    }
  }
  return missing.length > 0 ? { kind: 'gone', flow: false, chapters: missing } : undefined;
}

/** Ids are deterministic, so re-submitting never duplicates a job that does exist. */
async function resubmit(deps: Deps, bookId: string, gone: { flow: boolean; chapters: number[] }) {
  if (gone.flow) {
    await deps.queues.flowProducer().add(buildBookFlow(bookId));
    return;
  }
  const merge = await deps.queues.queue('merge').getJob(jobIds.merge(bookId));
  if (!merge) return;
  const parent = { id: merge.id as string, queue: merge.queueQualifiedName };
  await deps.queues.queue('tts').addBulk(gone.chapters.map((n) => chapterJob(bookId, n, parent)));
}

/** Runs a sweep every `intervalMs` (never two at once in this process). */
export function startReconciler(deps: Deps, opts: { intervalMs: number; graceMs: number }) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await reconcileOnce(deps, opts.graceMs);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'reconciler sweep failed');
    } finally {
      busy = false;
    }
  }, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
