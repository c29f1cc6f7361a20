import { Job, type Queue } from 'bullmq';
import {
  buildBookFlow,
  type DeliveryTarget,
  JOB_OPTIONS,
  JOB_QUEUE,
  JOBS,
  type JobName,
  jobIds,
  type PreviewPayload,
  type PreviewResult,
} from '../../flows/index.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { withTimeout } from '../time-limit.js';
import type { Step } from './book-steps.js';
import { type ChapterTurns, chapterJobs, type Scheduling } from './chapter-jobs.js';
import { readJobTree } from './job-tree.js';
import { settled } from './preview-wait.js';

export type { ChapterTurns, Moved, Scheduling } from './chapter-jobs.js';

/** A job as the reconciler sees it: its state, or undefined when the job is gone. */
export interface Seen {
  state: string | undefined;
  failedReason?: string;
}

export interface BookJobsDeps {
  queues: Pick<QueueBackend, 'queue' | 'flowProducer'>;
  turns: ChapterTurns;
  scheduling: Scheduling;
}

export type BookJobs = ReturnType<typeof createBookJobs>;

/**
 * Everything BullMQ does for a book, in one room (as immich keeps every queue call behind
 * one repository): submit its flow, add and re-prioritise its chapters, retry, wake the
 * merge, ask for a preview and wait, ask for a delivery, read, trim and discard its tree.
 * The catalogue (books/) and the consumers (workers/) go through it; the SQL it needs is
 * handed in. Job options and ids come from flows/, the one contract.
 */
export function createBookJobs(deps: BookJobsDeps) {
  const { queues } = deps;
  const find = (step: Step) => Job.fromId(queues.queue(JOB_QUEUE[step.name]), step.id);

  /** Starts a book's flow (parse, then chapters, merge and finalize). */
  async function submit(bookId: string): Promise<void> {
    await queues.flowProducer().add(buildBookFlow(bookId));
  }

  /**
   * Adds the chapters' generate-audio jobs under the book's merge (`parent`; the merge job
   * itself when unset, and nothing when it is gone), each in its turn.
   */
  async function addChapters(
    bookId: string,
    chapterNumbers: number[],
    parent?: { id: string; queue: string },
  ): Promise<void> {
    let under = parent;
    if (!under) {
      const merge = await queues.queue('merge').getJob(jobIds.merge(bookId));
      if (!merge) return;
      under = { id: merge.id as string, queue: merge.queueQualifiedName };
    }
    await queues.queue('tts').addBulk(await chapterJobs(deps, bookId, chapterNumbers, under));
  }

  /** One job's state (undefined: it is gone) and why it failed. */
  async function look(step: Step): Promise<Seen> {
    const job = await find(step);
    return { state: job ? await job.getState() : undefined, failedReason: job?.failedReason };
  }

  /** Those of `steps` whose job failed for good. */
  async function failedAmong(steps: Step[]): Promise<Step[]> {
    const states = await Promise.all(steps.map(look));
    return steps.filter((_, i) => states[i]?.state === 'failed');
  }

  /** Failed jobs start again from a fresh set of attempts; answers their ids. */
  async function retry(steps: Step[]): Promise<string[]> {
    for (const step of steps) {
      const job = await find(step);
      await job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }
    return steps.map((s) => s.id);
  }

  /**
   * The book's merge waits, delayed, while the book is in REVIEW: it is promoted now rather
   * than at its next look. If it is not delayed yet, it looks again itself once it is.
   */
  async function wakeMerge(bookId: string): Promise<void> {
    const job = await queues.queue('merge').getJob(jobIds.merge(bookId));
    if (job && (await job.isDelayed())) await job.promote().catch(() => {});
  }

  /**
   * Asks a speech worker for a preview and waits for it. The same request (`identity`)
   * within the hour is the same job, so it is made once.
   */
  async function preview(payload: PreviewPayload, identity: unknown[]): Promise<PreviewResult> {
    const queue = queues.queue('preview');
    const jobId = jobIds.preview(identity);
    await queue.add(JOBS.previewAudio, payload, { ...JOB_OPTIONS.preview, jobId });
    return settled(queue, jobId);
  }

  /** Queues a book's push to `target`; a finished or failed earlier push makes room for it. */
  /** A job under `jobId`, unless one is waiting or running: a finished one is replaced. */
  async function addOnce(key: 'deliver' | 'voices', name: JobName, data: object, jobId: string) {
    const queue = queues.queue(key);
    const earlier = await queue.getJob(jobId);
    const state = await earlier?.getState();
    if (state === 'completed' || state === 'failed') await earlier?.remove();
    await queue.add(name, data, { ...JOB_OPTIONS[key], jobId });
  }

  async function deliver(bookId: string, target: DeliveryTarget): Promise<void> {
    await addOnce('deliver', JOBS.deliverBook, { bookId, target }, jobIds.delivery(bookId, target));
  }

  /** A voice downloaded into storage for the whole fleet (workers/voice-install-processor.ts). */
  async function installVoice(voice: string): Promise<void> {
    await addOnce('voices', JOBS.installVoice, { voice }, jobIds.voiceInstall(voice));
  }

  /**
   * Removes the book's whole tree, from its root. False when a job of it was still running
   * (locked): its worker aborts it and discards again once it has stopped.
   */
  async function discard(bookId: string): Promise<boolean> {
    const removed = await queues
      .queue('finalize')
      .remove(jobIds.finalize(bookId), { removeChildren: true });
    return removed === 1;
  }

  /** A READY book's jobs below its root go (the root goes itself, with removeOnComplete). */
  async function trimFinished(bookId: string): Promise<void> {
    await queues.queue('merge').remove(jobIds.merge(bookId), { removeChildren: true });
  }

  /** The book's job tree as the queue backend holds it (see job-tree.ts). */
  function readTree(book: Pick<BookRow, 'id' | 'status'>, chapters: ChapterRow[]) {
    return readJobTree(queues, book, chapters);
  }

  return {
    submit,
    addChapters,
    look,
    failedAmong,
    chapterPercents: (bookId: string, ns: number[]) =>
      chapterPercents(queues.queue('tts'), bookId, ns),
    retry,
    wakeMerge,
    preview,
    deliver,
    installVoice,
    discard,
    trimFinished,
    readTree,
  };
}

/** How long a book's status waits for its running chapters' progress (see chapterPercents). */
const PERCENTS_WAIT_MS = 250;

/**
 * How far each of the chapters `ns` (those running) is, in per cent of its segments read,
 * as its worker last told its job (generate-audio-processor.ts); a chapter whose job is
 * gone or has told nothing yet is left out, and all of them when the queue backend does not
 * answer at once: a book's status lives in PostgreSQL and is answered while Redis is away.
 */
async function chapterPercents(
  tts: Pick<Queue, 'getJob'>,
  bookId: string,
  ns: number[],
): Promise<Map<number, number>> {
  const percents = new Map<number, number>();
  if (ns.length === 0) return percents;
  const read = Promise.all(ns.map((n) => tts.getJob(jobIds.chapter(bookId, n))));
  const jobs = await withTimeout(read, PERCENTS_WAIT_MS).catch(() => undefined);
  ns.forEach((n, i) => {
    const progress = jobs?.[i]?.progress;
    if (typeof progress === 'number') percents.set(n, progress);
  });
  return percents;
}
