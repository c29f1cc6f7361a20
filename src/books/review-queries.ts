import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { books, type ChapterRow, chapters } from '../db/schema.js';

/** Why a chapter a reviewer left out is not read. */
export const LEFT_OUT_AT_REVIEW = 'left out at review';

/** A book's chapters as its reviewer changes them, and the start that ends the review. */
export function createReviewQueries(db: Db) {
  const now = sql`now()`;

  /**
   * Sets a chapter of a book in REVIEW read or not, and its title. Undefined when the book
   * is no longer in REVIEW (the start won), so a late edit never changes a book under way.
   */
  async function editChapter(
    bookId: string,
    n: number,
    edit: { included?: boolean; title?: string },
  ): Promise<ChapterRow | undefined> {
    const inclusion =
      edit.included === undefined
        ? {}
        : edit.included
          ? { status: 'PENDING' as const, error: null }
          : { status: 'SKIPPED' as const, error: LEFT_OUT_AT_REVIEW };
    const [row] = await db
      .update(chapters)
      .set({ ...inclusion, ...(edit.title ? { title: edit.title } : {}), updatedAt: now })
      .where(
        and(
          eq(chapters.bookId, bookId),
          eq(chapters.n, n),
          sql`exists (select 1 from ${books} where ${books.id} = ${bookId} and ${books.status} = 'REVIEW')`,
        ),
      )
      .returning();
    return row;
  }

  /**
   * REVIEW → GENERATING, once, with at least one chapter to read: the number of chapters
   * to read, or undefined when the book was not in REVIEW or has none (nothing changed).
   */
  async function startReviewed(bookId: string): Promise<number | undefined> {
    const [row] = await db.execute<{ count: number }>(sql`
      with readable as (
        select count(*)::int as count from ${chapters}
        where ${chapters.bookId} = ${bookId} and ${chapters.status} = 'PENDING'
      ), started as (
        update ${books} set status = 'GENERATING', updated_at = now()
        where ${books.id} = ${bookId} and ${books.status} = 'REVIEW'
          and (select count from readable) > 0
        returning 1
      )
      select (select count from readable) as count from started`);
    return row?.count;
  }

  return { editChapter, startReviewed };
}
