import type { DeliveryTarget } from '../../flows/index.js';
import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import { ConflictError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import { refuseCancelled } from './book-files.js';
import type { BookQueries } from './book-queries.js';

export type { DeliveryTarget } from '../../flows/index.js';

export interface DeliveryRequestDeps {
  books: Pick<BookQueries, 'deliveryRequested'>;
  jobs: Pick<BookJobs, 'deliver'>;
}

/**
 * Asks for a book's push to `target`: its row waits (PENDING) and its job is queued. A
 * finished or failed earlier push makes room for this one; one under way is left to end.
 */
export async function requestDelivery(
  deps: DeliveryRequestDeps,
  bookId: string,
  target: DeliveryTarget,
): Promise<void> {
  await deps.books.deliveryRequested(bookId, target);
  await deps.jobs.deliver(bookId, target);
}

/** `POST /books/:id/deliveries`: a READY book pushed again (or for the first time). */
export function createDeliveries(
  deps: DeliveryRequestDeps & {
    targets: DeliveryTarget[];
    requireBook(principal: Principal, id: string): Promise<BookRow>;
    changed(id: string): void;
  },
) {
  async function deliver(principal: Principal, id: string, target: DeliveryTarget = 'abs') {
    const book = await deps.requireBook(principal, id);
    refuseCancelled(book);
    if (book.status !== 'READY')
      throw new ConflictError(`only a READY book can be delivered (it is ${book.status})`);
    if (!deps.targets.includes(target))
      throw new ConflictError(
        'no Audiobookshelf is configured here: the service needs ABS_URL (with ABS_TOKEN, ABS_LIBRARY, ABS_FOLDER) or ABS_LIBRARY_DIR',
      );
    await requestDelivery(deps, id, target);
    deps.changed(id);
    return { target, state: 'PENDING' as const };
  }
  /** Where READY books can be sent here (none unless Audiobookshelf is configured). */
  return { deliver, targets: deps.targets };
}
