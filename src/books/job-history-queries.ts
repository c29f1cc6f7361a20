import { eq } from 'drizzle-orm';
import type { JobNode } from '../../flows/index.js';
import type { Db } from '../db/database.js';
import { jobHistory } from '../db/schema.js';

/**
 * A finished book's job tree, kept in PostgreSQL: finalize records it just before the
 * jobs are trimmed from the queue backend, so GET /books/:id/jobs of a READY book still
 * shows every job's attempts and times. Purging the book removes it (foreign key).
 */
export function createJobHistoryQueries(db: Db) {
  /** Records (or, when finalize runs again, replaces) the book's tree. */
  async function saveJobHistory(bookId: string, tree: JobNode): Promise<void> {
    await db
      .insert(jobHistory)
      .values({ bookId, tree })
      .onConflictDoUpdate({ target: jobHistory.bookId, set: { tree, recordedAt: new Date() } });
  }

  async function jobHistoryOf(bookId: string): Promise<JobNode | undefined> {
    const [row] = await db
      .select({ tree: jobHistory.tree })
      .from(jobHistory)
      .where(eq(jobHistory.bookId, bookId));
    return row?.tree;
  }

  return { saveJobHistory, jobHistoryOf };
}
