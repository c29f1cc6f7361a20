import type { PreviewPayload } from '../../flows/index.js';
import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import { ConflictError, NotFoundError, UnavailableError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import type { Storage } from '../storage/storage.js';
import type { Voice } from '../tts/tts-engine.js';
import { assertOffered } from '../tts/voices.js';
import { refuseCancelled } from './book-files.js';
import type { BookQueries } from './book-queries.js';

export interface PreviewDeps {
  books: Pick<BookQueries, 'getChapter'>;
  jobs: Pick<BookJobs, 'preview'>;
  storage: Pick<Storage, 'get' | 'size'>;
  /** What the engines offer now (a voice may be installed while the service runs). */
  voices: () => Voice[];
  requireBook(principal: Principal, id: string): Promise<BookRow>;
}

/**
 * Hearing it before committing: a chapter's opening, or a voice's sample sentence. The API
 * only asks (a preview-audio job, made by a speech worker) and waits for the answer; the
 * same request within the hour is the same job, so it is made once.
 */
export function createPreviews(deps: PreviewDeps) {
  /** 10–20 s of the chapter in the book's voices and speed, or in those given. */
  async function chapter(
    principal: Principal,
    id: string,
    n: number,
    choice: { voice?: string; dialogueVoice?: string; speed?: number },
  ) {
    const book = await deps.requireBook(principal, id);
    refuseCancelled(book);
    const found = await deps.books.getChapter(id, n);
    if (!found && ['UPLOADED', 'PARSING'].includes(book.status))
      throw new ConflictError(`book ${id} is not read yet (status ${book.status}); try once it is`);
    if (!found) throw new NotFoundError(`chapter ${n} of book ${id}`);
    if (found.textStart === null)
      throw new ConflictError(`chapter ${n} has no text to read (${found.error ?? 'empty'})`);
    if (choice.voice) assertOffered(deps.voices(), choice.voice);
    if (choice.dialogueVoice) assertOffered(deps.voices(), choice.dialogueVoice);
    const payload: PreviewPayload = { kind: 'chapter', bookId: id, n, ...choice };
    return made(payload, [payload, found.title]);
  }

  /** A short sentence in the voice, in its language. */
  async function sample(voiceId: string) {
    assertOffered(deps.voices(), voiceId, 'resource');
    const payload: PreviewPayload = { kind: 'sample', voice: voiceId };
    return made(payload, [payload]);
  }

  async function made(payload: PreviewPayload, identity: unknown[]) {
    const { audioKey } = await deps.jobs.preview(payload, identity);
    const size = await deps.storage.size(audioKey);
    if (size === undefined) throw new UnavailableError('the preview was removed; ask again');
    return { key: audioKey, size, range: undefined, stream: await deps.storage.get(audioKey) };
  }

  return { chapter, sample };
}
