import { eq, sql } from 'drizzle-orm';
import { chapterJob } from '../../flows/index.js';
import type { Db } from '../db/database.js';
import { books } from '../db/schema.js';

/** A book's priority: 1 runs soonest; owners may only defer their own books (see README). */
export const PRIORITY_RANGE = { min: 1, max: 10, default: 5, ownersMin: 5 };

/** Priorities per level: BullMQ's go up to 2^21, so ten levels of 2^17 fit. */
const LEVEL_SPAN = 2 ** 17;

/**
 * Fair turns on the one speech queue, told to BullMQ as job priorities (lower runs
 * sooner, first come first served among equals), so they hold on both queue backends
 * and for any number of workers, at no cost to throughput (nothing waits that could run).
 *
 * A book's priority level picks a band: every waiting chapter of a lower band goes first.
 * Within a band each owner's chapters are numbered on from the later of the queue's head
 * (the lowest number still waiting) and the owner's own last number still waiting or
 * running. So an owner's books follow one another in the order they were scheduled
 * (right after their parse), while a newcomer's first chapter lines up beside the head:
 * owners with work waiting take turns, chapter by chapter, however much each has queued.
 * Numbers stay small because they start from the head; one owner's backlog past 2^17
 * chapters shares the last number (first come first served among those).
 */
export function createChapterSchedule(db: Db) {
  /** Numbers the book's chapters `ns` (in reading order) and records them; answers n → priority. */
  async function scheduleChapters(bookId: string, ns: number[]): Promise<Map<number, number>> {
    return db.transaction(async (tx) => {
      const [book] = await tx
        .select({ owner: books.owner, priority: books.priority })
        .from(books)
        .where(eq(books.id, bookId));
      if (!book || ns.length === 0) return new Map();
      // One owner's books are numbered one at a time, so two of them never interleave.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`schedule:${book.owner}`}))`);
      const base = (book.priority - 1) * LEVEL_SPAN + 1;
      const top = base + LEVEL_SPAN - 1;
      const [row] = await tx.execute<{ head: number | null; last: number | null }>(sql`
        select
          (select min(queue_priority) from chapters
            where status = 'PENDING' and queue_priority between ${base} and ${top}) as head,
          (select max(c.queue_priority) from chapters c join books b on b.id = c.book_id
            where b.owner = ${book.owner} and b.status in ('PARSING', 'GENERATING', 'MERGING')
              and c.status in ('PENDING', 'RUNNING')
              and c.queue_priority between ${base} and ${top}) as last`);
      const start = Math.max(row?.head ?? base, (row?.last ?? base - 1) + 1);
      const sorted = [...ns].sort((a, b) => a - b);
      const priorities = sorted.map((_, i) => Math.min(start + i, top));
      await tx.execute(sql`
        update chapters set queue_priority = s.p
        from unnest(${sql.param(sorted)}::int[], ${sql.param(priorities)}::int[]) as s(n, p)
        where chapters.book_id = ${bookId} and chapters.n = s.n`);
      return new Map(sorted.map((n, i) => [n, priorities[i] as number]));
    });
  }

  return { scheduleChapters };
}

/** The book's chapter jobs (`ns`), each with its turn on the speech queue when scheduling is fair. */
export async function chapterJobs(
  deps: {
    books: ReturnType<typeof createChapterSchedule>;
    scheduling: 'fair' | 'fifo';
  },
  bookId: string,
  ns: number[],
  parent: { id: string; queue: string },
) {
  const turns =
    deps.scheduling === 'fair' ? await deps.books.scheduleChapters(bookId, ns) : new Map();
  return ns.map((n) => chapterJob(bookId, n, parent, turns.get(n)));
}
