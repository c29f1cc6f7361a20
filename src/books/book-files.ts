import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import { ConflictError, GoneError, NotFoundError } from '../errors.js';
import { objectKeys } from '../storage/object-keys.js';
import type { ByteRange, Storage } from '../storage/storage.js';
import type { BookQueries } from './book-queries.js';

/** A range to read from an object of a given size, or the whole object (undefined). */
export type RangeOf = (size: number) => ByteRange | undefined;

/** A cancelled book's files were deleted with it: its audio is gone, not pending. */
export function refuseCancelled(book: BookRow): void {
  if (book.status === 'CANCELLED')
    throw new GoneError(`book ${book.id} was cancelled, and its audio deleted`);
}

/** What is made of the whole book (audiobook, parts, subtitles) waits for it to be READY. */
export function requireReady(book: BookRow): void {
  if (book.status !== 'READY')
    throw new ConflictError(`the audiobook is not ready yet (status ${book.status})`);
}

/** A book's stored files as callers read them: the audiobook, a chapter, a part, the cover. */
export function createBookFiles(deps: {
  books: Pick<BookQueries, 'getChapter'>;
  storage: Pick<Storage, 'get' | 'size'>;
  requireBook(principal: Principal, id: string): Promise<BookRow>;
}) {
  const { books, storage, requireBook } = deps;

  async function openObject(key: string, what: string, range?: RangeOf) {
    const size = await storage.size(key);
    if (size === undefined) throw new NotFoundError(what);
    const r = range?.(size);
    return { key, size, range: r, stream: await storage.get(key, r) };
  }

  /** The audiobook, once READY. */
  async function audio(principal: Principal, id: string, range?: RangeOf) {
    const book = await requireBook(principal, id);
    refuseCancelled(book);
    if (book.status !== 'READY' || !book.audioKey) {
      throw new ConflictError(`the audiobook is not ready yet (status ${book.status})`);
    }
    return { book, ...(await openObject(book.audioKey, `the audio of book ${id}`, range)) };
  }

  /** One chapter's audio, as soon as that chapter is done. */
  async function chapterAudio(principal: Principal, id: string, n: number, range?: RangeOf) {
    const book = await requireBook(principal, id);
    refuseCancelled(book);
    const chapter = await books.getChapter(id, n);
    if (!chapter) throw new NotFoundError(`chapter ${n} of book ${id}`);
    if (chapter.status !== 'DONE' || !chapter.audioKey) {
      throw new ConflictError(`chapter ${n} has no audio yet (status ${chapter.status})`);
    }
    const what = `the audio of chapter ${n} of book ${id}`;
    return { book, chapter, ...(await openObject(chapter.audioKey, what, range)) };
  }

  /** Part `partNumber` of a READY book delivered in parts (`splitHours`), or all of them in one zip. */
  async function part(
    principal: Principal,
    id: string,
    partNumber: number | 'zip',
    range?: RangeOf,
  ) {
    const book = await requireBook(principal, id);
    refuseCancelled(book);
    requireReady(book);
    const what = partNumber === 'zip' ? `parts of book ${id}` : `part ${partNumber} of book ${id}`;
    if (!book.partCount || (partNumber !== 'zip' && partNumber > book.partCount))
      throw new NotFoundError(what);
    const key =
      partNumber === 'zip' ? objectKeys.partsZip(id) : objectKeys.part(id, partNumber, book.format);
    return { book, ...(await openObject(key, what, range)) };
  }

  /** The cover the parse kept (a JPEG, see cover-check.ts), if the book has one. */
  async function cover(principal: Principal, id: string) {
    await requireBook(principal, id);
    return openObject(objectKeys.cover(id, 'image/jpeg'), `a cover for book ${id}`);
  }

  return { audio, chapterAudio, part, cover };
}
