import { Job } from 'bullmq';
import { chapterJob, jobIds } from '../../flows/index.js';
import type { QueueBackend } from '../queue/queue-backend.js';

/** Chapters of the owner's later books whose turn moved back to make room. */
export type Moved = { bookId: string; n: number; priority: number }[];

/**
 * Numbers a book's chapters on the speech queue (the SQL of fair turns lives with the
 * catalogue, books/chapter-schedule.ts, and is handed in): chapter number → priority, and
 * the chapters of other books that moved back to make room.
 */
export interface ChapterTurns {
  scheduleChapters(
    bookId: string,
    chapterNumbers: number[],
  ): Promise<{ turns: Map<number, number>; moved: Moved }>;
}

/** fair: owners take turns on the speech queue (ChapterTurns); fifo: arrival order. */
export type Scheduling = 'fair' | 'fifo';

/** Jobs told their new turn at once (a round trip each, sent together). */
const MOVE_BATCH = 50;

/**
 * The book's chapter jobs, each with its turn on the speech queue when scheduling is fair;
 * the jobs of the owner's later books that moved back are told their new turn.
 */
export async function chapterJobs(
  deps: { turns: ChapterTurns; queues: Pick<QueueBackend, 'queue'>; scheduling: Scheduling },
  bookId: string,
  chapterNumbers: number[],
  parent: { id: string; queue: string },
) {
  if (deps.scheduling === 'fifo') return chapterNumbers.map((n) => chapterJob(bookId, n, parent));
  const { turns, moved } = await deps.turns.scheduleChapters(bookId, chapterNumbers);
  const queue = deps.queues.queue('tts');
  // In batches sent at once: one by one, a batch of uploads parsed out of order held the
  // earliest book's chapters back for seconds while hundreds of later ones moved.
  for (let i = 0; i < moved.length; i += MOVE_BATCH) {
    await Promise.all(
      moved.slice(i, i + MOVE_BATCH).map(async (m) => {
        const job = await Job.fromId(queue, jobIds.chapter(m.bookId, m.n));
        // A job that started or ended meanwhile keeps its place: it no longer waits.
        await job?.changePriority({ priority: m.priority }).catch(() => {});
      }),
    );
  }
  return chapterNumbers.map((n) => chapterJob(bookId, n, parent, turns.get(n)));
}
