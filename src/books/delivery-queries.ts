import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { type DeliveryRow, deliveries } from '../db/schema.js';

/** A READY book's pushes to where people listen, one row per target (the `deliveries` table). */
export function createDeliveryQueries(db: Db) {
  const now = sql`now()`;
  const row = (bookId: string, target: string) =>
    and(eq(deliveries.bookId, bookId), eq(deliveries.target, target));

  /**
   * Asked for (again): waiting for its job, its attempts counted afresh; where and when an
   * earlier push succeeded stays until this one does.
   */
  async function deliveryRequested(bookId: string, target: string): Promise<void> {
    await db
      .insert(deliveries)
      .values({ bookId, target })
      .onConflictDoUpdate({
        target: [deliveries.bookId, deliveries.target],
        set: { state: 'PENDING', error: null, attempts: 0, updatedAt: now },
      });
  }

  async function deliveryStarted(bookId: string, target: string): Promise<void> {
    await db
      .update(deliveries)
      .set({ state: 'RUNNING', attempts: sql`${deliveries.attempts} + 1`, updatedAt: now })
      .where(row(bookId, target));
  }

  async function deliveryDone(bookId: string, target: string, location: string): Promise<void> {
    await db
      .update(deliveries)
      .set({ state: 'DONE', error: null, location, deliveredAt: now, updatedAt: now })
      .where(row(bookId, target));
  }

  /** `final`: no try is left (or none can help); otherwise it waits for the next. */
  async function deliveryFailed(bookId: string, target: string, error: string, final: boolean) {
    await db
      .update(deliveries)
      .set({ state: final ? 'FAILED' : 'PENDING', error, updatedAt: now })
      .where(row(bookId, target));
  }

  function deliveriesOf(bookId: string): Promise<DeliveryRow[]> {
    return db
      .select()
      .from(deliveries)
      .where(eq(deliveries.bookId, bookId))
      .orderBy(asc(deliveries.target));
  }

  return { deliveryRequested, deliveryStarted, deliveryDone, deliveryFailed, deliveriesOf };
}
