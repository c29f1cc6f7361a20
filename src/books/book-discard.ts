import type { BookJobs } from '../jobs/book-jobs.js';
import { objectKeys } from '../storage/object-keys.js';
import type { Storage } from '../storage/storage.js';

/**
 * Removes a book's jobs (the whole tree, from its root) and stored objects.
 * Returns false when a job of the tree was still running (locked): its worker
 * aborts it and calls this again once it has stopped.
 */
export async function discardBook(
  deps: { jobs: Pick<BookJobs, 'discard'>; storage: Pick<Storage, 'deletePrefix'> },
  bookId: string,
): Promise<boolean> {
  const removed = await deps.jobs.discard(bookId);
  await deps.storage.deletePrefix(objectKeys.bookPrefix(bookId));
  return removed;
}
