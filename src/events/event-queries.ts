import { and, asc, eq, gt, lt, lte, min, sql } from 'drizzle-orm';
import { ago, type Db } from '../db/database.js';
import { type BookEventRow, bookEvents } from '../db/schema.js';

/** Which events a stream carries: one owner's (all when unset), one book's (any when unset). */
export interface EventFilter {
  owner?: string;
  bookId?: string;
}

export type EventQueries = ReturnType<typeof createEventQueries>;

/** The book_events table (written by triggers, see migration 0006): read in id order, pruned. */
export function createEventQueries(db: Db) {
  /** Events after `afterId` (and up to `upTo`, when given), oldest first, at most `limit`. */
  async function after(
    afterId: number,
    filter: EventFilter,
    limit: number,
    upTo?: number,
  ): Promise<BookEventRow[]> {
    return db
      .select()
      .from(bookEvents)
      .where(
        and(
          gt(bookEvents.id, afterId),
          upTo === undefined ? undefined : lte(bookEvents.id, upTo),
          filter.owner === undefined ? undefined : eq(bookEvents.owner, filter.owner),
          filter.bookId === undefined ? undefined : eq(bookEvents.bookId, filter.bookId),
        ),
      )
      .orderBy(asc(bookEvents.id))
      .limit(limit);
  }

  /** The newest id written so far (0 when none): where a starting reader begins. */
  async function latestId(): Promise<number> {
    const [row] = await db.execute<{ id: string | null }>(
      sql`select max(${bookEvents.id}) as id from ${bookEvents}`,
    );
    return Number(row?.id ?? 0);
  }

  /** The oldest id still kept (undefined when none): older ones were pruned. */
  async function oldestId(): Promise<number | undefined> {
    const [row] = await db.select({ id: min(bookEvents.id) }).from(bookEvents);
    return row?.id ?? undefined;
  }

  async function prune(olderThanMs: number): Promise<void> {
    await db.delete(bookEvents).where(lt(bookEvents.createdAt, ago(olderThanMs)));
  }

  return { after, latestId, oldestId, prune };
}
