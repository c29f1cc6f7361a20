import type { Job, Queue } from 'bullmq';
import {
  JOB_OPTIONS,
  JOBS,
  jobIds,
  matches,
  type PreviewPayload,
  PreviewResult,
} from '../../flows/index.js';
import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../errors.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { Storage } from '../storage/storage.js';
import type { Voice } from '../tts/tts-engine.js';
import { refuseCancelled } from './book-files.js';
import type { BookQueries } from './book-queries.js';

/** How long a caller waits for a speech worker to make a preview. */
const PREVIEW_WAIT_MS = 30_000;

export interface PreviewDeps {
  books: Pick<BookQueries, 'getChapter'>;
  queues: Pick<QueueBackend, 'queue'>;
  storage: Pick<Storage, 'get' | 'size'>;
  voices: Voice[];
  requireBook(principal: Principal, id: string): Promise<BookRow>;
}

/**
 * Hearing it before committing: a chapter's opening, or a voice's sample sentence. The API
 * only asks (a preview-audio job, made by a speech worker) and waits for the answer; the
 * same request within the hour is the same job, so it is made once.
 */
export function createPreviews(deps: PreviewDeps) {
  /** 10–20 s of the chapter in the book's voice and speed, or in those given. */
  async function chapter(
    principal: Principal,
    id: string,
    n: number,
    choice: { voice?: string; speed?: number },
  ) {
    const book = await deps.requireBook(principal, id);
    refuseCancelled(book);
    const found = await deps.books.getChapter(id, n);
    if (!found && ['UPLOADED', 'PARSING'].includes(book.status))
      throw new ConflictError(`book ${id} is not read yet (status ${book.status}); try once it is`);
    if (!found) throw new NotFoundError(`chapter ${n} of book ${id}`);
    if (found.textStart === null)
      throw new ConflictError(`chapter ${n} has no text to read (${found.error ?? 'empty'})`);
    if (choice.voice && !deps.voices.some((v) => v.id === choice.voice))
      throw new InvalidInputError(`voice "${choice.voice}" is not offered; GET /voices lists them`);
    const payload: PreviewPayload = { kind: 'chapter', bookId: id, n, ...choice };
    return made(payload, [payload, found.title]);
  }

  /** A short sentence in the voice, in its language. */
  async function sample(voiceId: string) {
    if (!deps.voices.some((v) => v.id === voiceId)) throw new NotFoundError(`voice ${voiceId}`);
    const payload: PreviewPayload = { kind: 'sample', voice: voiceId };
    return made(payload, [payload]);
  }

  async function made(payload: PreviewPayload, identity: unknown[]) {
    const queue = deps.queues.queue('preview');
    const jobId = jobIds.preview(identity);
    await queue.add(JOBS.previewAudio, payload, { ...JOB_OPTIONS.preview, jobId });
    const { audioKey } = await settled(queue, jobId);
    const size = await deps.storage.size(audioKey);
    if (size === undefined) throw new UnavailableError('the preview was removed; ask again');
    return { key: audioKey, size, range: undefined, stream: await deps.storage.get(audioKey) };
  }

  return { chapter, sample };
}

/** Waits for the job's answer; a failed one is removed, so asking again tries again. */
async function settled(queue: Queue, jobId: string): Promise<PreviewResult> {
  const deadline = Date.now() + PREVIEW_WAIT_MS;
  for (;;) {
    const job: Job | undefined = await queue.getJob(jobId);
    if (!job) throw new UnavailableError('the preview was lost on the way; ask again');
    const state = await job.getState();
    if (state === 'completed' && matches(PreviewResult, job.returnvalue)) return job.returnvalue;
    if (state === 'failed') {
      await job.remove().catch(() => {});
      throw new UnavailableError(`the preview could not be made: ${job.failedReason}`);
    }
    if (Date.now() > deadline)
      throw new UnavailableError(
        `no speech worker made the preview within ${PREVIEW_WAIT_MS / 1000} s; try again shortly`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
