import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { DeliverPayload, type DeliverResult } from '../../flows/index.js';
import { chapterMarks } from '../books/book-subtitles.js';
import type { BookRow } from '../db/schema.js';
import { type AbsBook, AbsRefusedError, deliverToAbs } from '../delivery/audiobookshelf.js';
import { objectKeys } from '../storage/object-keys.js';
import { withTempDir } from '../temp-dir.js';
import { narratorOf, voiceFor } from '../tts/voices.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<
  'storage' | 'tts' | 'log' | 'delivery',
  'getBook' | 'getChapters' | 'deliveryStarted' | 'deliveryDone' | 'deliveryFailed'
>;

/**
 * Pushes a READY book to Audiobookshelf (its upload API, or a library folder it watches):
 * the audiobook, its cover and a metadata.json with its chapters. A failed push is retried
 * with backoff and shown in the book's `deliveries`; it never fails the book.
 */
export function createDeliverProcessor(deps: Deps) {
  const { books, storage } = deps;

  /** The book's files fetched into `dir`, and its tags and chapters. */
  async function gather(book: BookRow, dir: string): Promise<AbsBook> {
    const ext = book.format === 'mp3' ? 'mp3' : 'm4b';
    const audio = path.join(dir, `audiobook.${ext}`);
    await storage.getToFile(book.audioKey as string, audio);
    const coverKey = objectKeys.cover(book.id, 'image/jpeg');
    const cover = (await storage.size(coverKey)) === undefined ? null : path.join(dir, 'cover.jpg');
    if (cover) await storage.getToFile(coverKey, cover);
    return {
      title: book.title ?? book.fileName ?? 'Untitled',
      author: book.author,
      series: null,
      narrator: narratorOf(deps.tts, voiceFor(book, deps.tts)),
      language: book.language,
      chapters: chapterMarks(await books.getChapters(book.id)),
      audio: { file: audio, ext },
      cover,
    };
  }

  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: DeliverPayload,
        isPermanent: (err) => err instanceof AbsRefusedError,
        async run({ bookId, target }): Promise<DeliverResult> {
          const where = deps.delivery;
          if (!where)
            throw new UnrecoverableError(
              'no Audiobookshelf is configured (ABS_URL or ABS_LIBRARY_DIR)',
            );
          const book = await books.getBook(bookId);
          if (book?.status !== 'READY' || !book.audioKey)
            throw new UnrecoverableError(`the book is not READY (it is ${book?.status ?? 'gone'})`);
          await books.deliveryStarted(bookId, target);
          const location = await withTempDir((dir) =>
            gather(book, dir).then((abs) => deliverToAbs(where, abs)),
          );
          await books.deliveryDone(bookId, target, location);
          deps.log.info({ bookId, target, location }, 'book delivered');
          return { kind: 'delivered', location };
        },
        onFailure: ({ bookId, target }, message, final) =>
          books.deliveryFailed(bookId, target, message, final),
      },
      { signal, log: deps.log },
    );
}
