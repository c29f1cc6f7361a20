import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { books } from '../db/schema.js';
import type { ChapterTurns, Moved } from '../jobs/book-jobs.js';

/** A book's priority: 1 runs soonest; owners may only defer their own books (see README). */
export const PRIORITY_RANGE = { min: 1, max: 10, default: 5, ownersMin: 5 };

/** Priorities per level: BullMQ's go up to 2^21, so ten levels of 2^17 fit. */
const LEVEL_SPAN = 2 ** 17;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Fair turns on the one speech queue, told to BullMQ as job priorities (lower runs
 * sooner, first come first served among equals), so they hold on both queue backends
 * and for any number of workers, at no cost to throughput (nothing waits that could run).
 *
 * A book's priority level picks a band: every waiting chapter of a lower band goes first.
 * Within a band each owner's chapters are numbered on from the later of the queue's head
 * (the lowest number still waiting) and the owner's own last number still waiting or
 * running among books uploaded earlier; the owner's later books, if parsed sooner, move
 * back to make room. So an owner's books go in the order they were uploaded, while a
 * newcomer's first chapter lines up beside the head: owners with work waiting take turns,
 * chapter by chapter, however much each has queued. Numbers stay small because they start
 * from the head; one owner's backlog past 2^17 chapters shares the last number.
 */
export function createChapterSchedule(db: Db): ChapterTurns {
  /** Numbers the book's chapters (in reading order) and records them; answers n → priority. */
  async function scheduleChapters(
    bookId: string,
    chapterNumbers: number[],
  ): Promise<{ turns: Map<number, number>; moved: Moved }> {
    return db.transaction(async (tx) => {
      const [book] = await tx
        .select({ owner: books.owner, priority: books.priority })
        .from(books)
        .where(eq(books.id, bookId));
      if (!book || chapterNumbers.length === 0) return { turns: new Map(), moved: [] };
      // One owner's books are numbered one at a time, so two of them never interleave.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`schedule:${book.owner}`}))`);
      const base = (book.priority - 1) * LEVEL_SPAN + 1;
      const band = { base, top: base + LEVEL_SPAN - 1 };
      const start = await startOf(tx, { ...book, id: bookId }, band);
      const sorted = [...chapterNumbers].sort((a, b) => a - b);
      const priorities = sorted.map((_, i) => Math.min(start + i, band.top));
      const moved = await moveLaterBooks(tx, { ...book, id: bookId }, start, sorted.length, band);
      await tx.execute(sql`
        update chapters set queue_priority = s.p
        from unnest(${sql.param(sorted)}::int[], ${sql.param(priorities)}::int[]) as s(n, p)
        where chapters.book_id = ${bookId} and chapters.n = s.n`);
      const turns = new Map(sorted.map((n, i) => [n, priorities[i] as number]));
      return { turns, moved };
    });
  }

  return { scheduleChapters };
}

interface Placed {
  id: string;
  owner: string;
}
interface Band {
  base: number;
  top: number;
}

/**
 * After the queue's head and after the owner's earlier books still waiting or running. Each
 * part stops at one index entry (the head; each earlier book's last turn), so its cost
 * follows the owner's books under way, not the chapters waiting.
 */
async function startOf(tx: Tx, book: Placed, { base, top }: Band): Promise<number> {
  const [row] = await tx.execute<{ head: number | null; last: number | null }>(sql`
    select
      (select queue_priority from chapters
        where status = 'PENDING' and queue_priority between ${base} and ${top}
        order by queue_priority limit 1) as head,
      (select max(l.p) from books b cross join lateral (
          select c.queue_priority as p from chapters c
          where c.book_id = b.id and c.status in ('PENDING', 'RUNNING')
            and c.queue_priority between ${base} and ${top}
          order by c.queue_priority desc limit 1) l
        where b.owner = ${book.owner} and b.status in ('PARSING', 'GENERATING', 'MERGING')
          and (b.created_at, b.id) < (select created_at, id from books where id = ${book.id})
      ) as last`);
  return Math.max(row?.head ?? base, (row?.last ?? base - 1) + 1);
}

/**
 * The owner's books uploaded after this one but numbered before it move back by `count`.
 * Driven from those books (an array the planner cannot misjudge after a burst of inserts
 * has outrun its statistics), never from the queue's waiting chapters.
 */
async function moveLaterBooks(
  tx: Tx,
  book: Placed,
  from: number,
  count: number,
  { top }: Band,
): Promise<Moved> {
  const rows = await tx.execute<{ book_id: string; n: number; queue_priority: number }>(sql`
    update chapters c set queue_priority = least(c.queue_priority + ${count}, ${top})
    where c.book_id = any(array(
        select id from books
        where owner = ${book.owner} and status in ('PARSING', 'GENERATING', 'MERGING')
          and (created_at, id) > (select created_at, id from books where id = ${book.id})))
      and c.status = 'PENDING' and c.queue_priority between ${from} and ${top}
    returning c.book_id, c.n, c.queue_priority`);
  return rows.map((r) => ({ bookId: r.book_id, n: r.n, priority: r.queue_priority }));
}
