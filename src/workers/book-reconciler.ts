import type { BookQueries } from '../books/book-queries.js';
import type { BookRow } from '../db/schema.js';
import { fitted } from '../errors.js';
import type { BookJobs, Seen } from '../jobs/book-jobs.js';
import { bookSteps, chapterStep } from '../jobs/book-steps.js';
import type { WorkerDeps } from './worker-deps.js';

type Deps = Pick<WorkerDeps, 'log'> & {
  books: Pick<BookQueries, 'staleInProgress' | 'fail' | 'touch' | 'getChapters'>;
  jobs: Pick<BookJobs, 'look' | 'submit' | 'addChapters'>;
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

export type Problem =
  | { kind: 'failed'; reason: string }
  | { kind: 'gone'; flow: boolean; chapters: number[] };

export type { Seen };

/** What went wrong when each of the book's steps (finalize, merge, parse) failed. */
const STEP_FAILURES = [
  'The audiobook could not be finalised',
  'The chapters could not be joined',
  'The EPUB could not be read',
];

/**
 * What is wrong with a stale book, from what its jobs look like (pure: the
 * rules, without the reads). `steps` are finalize, merge and parse; `chapters`
 * the unfinished chapters with their jobs, read only while the merge waits for them.
 */
export function diagnose(
  steps: Seen[],
  chapters: (Seen & { n: number; title: string })[] = [],
): Problem | undefined {
  if (!steps[0]?.state) return { kind: 'gone', flow: true, chapters: [] };
  const failedStep = steps.findIndex((s) => s.state === 'failed');
  if (failedStep >= 0) {
    const what = STEP_FAILURES[failedStep];
    const cause = String(steps[failedStep]?.failedReason);
    return { kind: 'failed', reason: fitted(`${what}: `, cause) };
  }
  const failed = chapters.find((c) => c.state === 'failed');
  if (failed) {
    return {
      kind: 'failed',
      reason: fitted(
        `Chapter ${failed.n} ("${failed.title}") failed: `,
        String(failed.failedReason),
      ),
    };
  }
  const missing = chapters.filter((c) => !c.state).map((c) => c.n);
  return missing.length > 0 ? { kind: 'gone', flow: false, chapters: missing } : undefined;
}

/** Reads what diagnose needs: each state once, all at once (one pipelined round trip on Redis). */
async function inspect(deps: Deps, book: BookRow): Promise<Problem | undefined> {
  const steps = await Promise.all(bookSteps(book.id).map(deps.jobs.look));
  // Only while the orchestrator waits for its chapters must each unfinished one have a live job.
  if (!steps[0]?.state || steps[1]?.state !== 'waiting-children') return diagnose(steps);
  const open = (await deps.books.getChapters(book.id)).filter(
    (c) => c.status !== 'DONE' && c.status !== 'SKIPPED',
  );
  const chapters = await Promise.all(
    open.map(async (c) => ({
      n: c.n,
      title: c.title,
      ...(await deps.jobs.look(chapterStep(book.id, c.n))),
    })),
  );
  return diagnose(steps, chapters);
}

/** Ids are deterministic, so re-submitting never duplicates a job that does exist. */
async function resubmit(deps: Deps, bookId: string, gone: { flow: boolean; chapters: number[] }) {
  if (gone.flow) await deps.jobs.submit(bookId);
  else await deps.jobs.addChapters(bookId, gone.chapters);
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
