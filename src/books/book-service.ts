import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildBookFlow, JOB_QUEUE, JOBS, type JobName, jobIds } from '../../flows/index.js';
import { canSee, type Principal } from '../access/access-control.js';
import { AUDIO_FORMATS, type AudioFormat } from '../audio/ffmpeg-args.js';
import type { BookRow } from '../db/schema.js';
import { assertLooksLikeEpub } from '../epub/epub-sniff.js';
import { EpubError } from '../epub/epub-zip.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { objectKeys } from '../storage/object-keys.js';
import type { ByteRange, Storage } from '../storage/storage.js';
import { quote, stripUnspeakable } from '../text/clean-text.js';
import type { Voice } from '../tts/tts-engine.js';
import { discardBook } from './book-discard.js';
import type { BookQueries } from './book-queries.js';
import { conflict, HttpError, notFound } from './http-errors.js';
import { type JobNode, readJobTree } from './job-tree.js';

/** One part of a multipart upload: the EPUB file, or a form field. */
export type UploadPart =
  | {
      type: 'file';
      field: string;
      fileName: string | null;
      stream: Readable;
      /** True when the stream was cut at the size limit. */
      truncated(): boolean;
    }
  | { type: 'field'; field: string; value: string };

/** What an upload may choose; checked against what the speech engine offers. */
export interface Choices {
  voice: string | null;
  speed: number;
  format: AudioFormat;
}

export const SPEED_RANGE = { min: 0.5, max: 2 };

export function parseChoices(fields: Map<string, string>, voices: Voice[]): Choices {
  const voice = fields.get('voice')?.trim() || null;
  if (voice && !voices.some((v) => v.id === voice)) {
    throw new HttpError(
      400,
      `voice ${quote(voice)} is not offered; GET /voices lists: ${voices
        .slice(0, 50)
        .map((v) => v.id)
        .join(', ')}`,
    );
  }
  const rawSpeed = fields.get('speed')?.trim();
  const speed = rawSpeed ? Number(rawSpeed) : 1;
  if (!Number.isFinite(speed) || speed < SPEED_RANGE.min || speed > SPEED_RANGE.max) {
    throw new HttpError(
      400,
      `speed must be a number from ${SPEED_RANGE.min} to ${SPEED_RANGE.max}`,
    );
  }
  const format = (fields.get('format')?.trim() || 'm4b') as AudioFormat;
  if (!AUDIO_FORMATS.includes(format)) {
    throw new HttpError(400, `format must be one of ${AUDIO_FORMATS.join(', ')}`);
  }
  return { voice, speed, format };
}

export type BookService = ReturnType<typeof createBookService>;

export function createBookService(deps: {
  books: BookQueries;
  storage: Pick<Storage, 'putFile' | 'get' | 'size' | 'deletePrefix'>;
  queues: Pick<QueueBackend, 'queue' | 'flowProducer'>;
  voices: Voice[];
  maxUploadBytes: number;
}) {
  const { books, storage, queues } = deps;

  async function requireBook(principal: Principal, id: string) {
    const book = await books.getBook(id);
    if (!book || !canSee(principal, book.owner)) throw notFound(`book ${id}`);
    return book;
  }

  async function openObject(key: string, range?: (size: number) => ByteRange | undefined) {
    const size = await storage.size(key);
    if (size === undefined) throw notFound(`audio ${key}`);
    const r = range?.(size);
    return { key, size, range: r, stream: await storage.get(key, r) };
  }

  async function failedJob(name: JobName, id: string) {
    const job = await queues.queue(JOB_QUEUE[name]).getJob(id);
    return job && (await job.getState()) === 'failed' ? job : undefined;
  }

  const tooLarge = () =>
    new HttpError(413, `the file is larger than the ${deps.maxUploadBytes / 1048576} MB limit`);

  return {
    maxUploadBytes: deps.maxUploadBytes,
    tooLarge,

    /**
     * Spools the file to disk (never to memory), checks it is an EPUB, stores
     * it and starts its flow. Form fields may come before or after the file.
     * The same Idempotency-Key from the same owner answers with the same book
     * and starts no second flow, even when both uploads arrive at once.
     */
    async upload(
      principal: Principal,
      parts: AsyncIterable<UploadPart>,
      idempotencyKey?: string,
    ): Promise<{ book: BookRow; replayed: boolean }> {
      const earlier =
        idempotencyKey && (await books.findByIdempotencyKey(principal.owner, idempotencyKey));
      if (earlier) {
        for await (const part of parts) if (part.type === 'file') part.stream.resume();
        return { book: earlier, replayed: true };
      }
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-upload-'));
      try {
        const file = path.join(dir, 'upload.epub');
        const fields = new Map<string, string>();
        let fileName: string | null | undefined;
        for await (const part of parts) {
          if (part.type === 'field') {
            fields.set(part.field, part.value);
            continue;
          }
          if (part.field !== 'file' || fileName !== undefined) {
            part.stream.resume(); // drain what we will not store
            continue;
          }
          fileName = part.fileName && (stripUnspeakable(part.fileName).slice(0, 255) || null);
          await pipeline(part.stream, createWriteStream(file));
          if (part.truncated()) throw tooLarge();
        }
        if (fileName === undefined)
          throw new HttpError(400, 'send the EPUB as a multipart form field named "file"');
        const choices = parseChoices(fields, deps.voices);
        const { size } = await fs.stat(file);
        try {
          await assertLooksLikeEpub(file, size);
        } catch (err) {
          if (err instanceof EpubError) throw new HttpError(415, err.message);
          throw err;
        }
        const id = randomUUID();
        await storage.putFile(objectKeys.source(id), file);
        const book = await books.insertBook({
          id,
          owner: principal.owner,
          idempotencyKey,
          fileName,
          sizeBytes: size,
          sourceKey: objectKeys.source(id),
          ...choices,
        });
        if (!book) {
          // A concurrent upload with the same key won the insert: answer with its book.
          await storage.deletePrefix(objectKeys.bookPrefix(id));
          const winner = await books.findByIdempotencyKey(principal.owner, idempotencyKey ?? '');
          if (!winner) throw new Error('an idempotent upload lost its race to a missing book');
          return { book: winner, replayed: true };
        }
        try {
          await queues.flowProducer().add(buildBookFlow(id));
        } catch (err) {
          // Never leave a book UPLOADED with no flow behind it.
          await books.fail(
            id,
            `The book could not be queued (${(err as Error).message}); upload it again`,
          );
          throw new HttpError(503, 'the queue backend is unavailable; try again shortly');
        }
        return { book, replayed: false };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },

    list: (principal: Principal, limit: number, before?: { createdAt: Date; id: string }) =>
      books.listBooks(limit, before, principal.admin ? undefined : principal.owner),

    async get(principal: Principal, id: string) {
      const book = await requireBook(principal, id);
      return { book, chapters: await books.getChapters(id) };
    },

    async jobs(principal: Principal, id: string): Promise<{ owner: string; tree: JobNode }> {
      const book = await requireBook(principal, id);
      const chapters = await books.getChapters(id);
      const tree = await readJobTree(queues, book, chapters);
      return { owner: book.owner, tree };
    },

    /**
     * Cancels a book: its status becomes CANCELLED (final), its waiting jobs and
     * stored objects are removed. Running jobs are aborted by their workers,
     * which then remove what is left (see cancel-watcher.ts).
     */
    async cancel(principal: Principal, id: string) {
      await requireBook(principal, id);
      await books.cancel(id);
      await discardBook({ queues, storage }, id);
      return { id, status: 'CANCELLED' as const };
    },

    /** Retries one failed chapter from a fresh set of attempts; finished chapters are untouched. */
    async retryChapter(principal: Principal, id: string, n: number) {
      await requireBook(principal, id);
      const chapter = await books.getChapter(id, n);
      if (!chapter) throw notFound(`chapter ${n} of book ${id}`);
      const job = await failedJob(JOBS.generateAudio, jobIds.chapter(id, n));
      if (!job)
        throw conflict(
          `chapter ${n} has not failed (it is ${chapter.status}); only failed chapters can be retried`,
        );
      await books.chaptersRetried(id, [n]);
      const stillFailed = (await books.getChapters(id)).filter((c) => c.status === 'FAILED');
      if (stillFailed.length === 0) await books.reopen(id, 'GENERATING');
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return { retried: [job.id as string] };
    },

    /** Retries every failed step of the book. */
    async retryBook(principal: Principal, id: string) {
      await requireBook(principal, id);
      const chapters = await books.getChapters(id);
      const candidates: [JobName, string][] = [
        [JOBS.parseEpub, jobIds.parse(id)],
        [JOBS.mergeAudiobook, jobIds.merge(id)],
        [JOBS.finalizeBook, jobIds.finalize(id)],
        ...chapters.map((c): [JobName, string] => [JOBS.generateAudio, jobIds.chapter(id, c.n)]),
      ];
      const failed = (
        await Promise.all(candidates.map(([name, jobId]) => failedJob(name, jobId)))
      ).filter((j) => j !== undefined);
      if (failed.length === 0) throw conflict(`book ${id} has no failed step to retry`);
      await books.chaptersRetried(
        id,
        chapters.filter((c) => c.status === 'FAILED').map((c) => c.n),
      );
      const parseFailed = failed.some((j) => j.name === JOBS.parseEpub);
      await books.reopen(id, parseFailed ? 'UPLOADED' : 'GENERATING');
      for (const job of failed) {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
      return { retried: failed.map((j) => j.id as string) };
    },

    async audio(principal: Principal, id: string, range?: (size: number) => ByteRange | undefined) {
      const book = await requireBook(principal, id);
      if (book.status !== 'READY' || !book.audioKey) {
        throw conflict(`the audiobook is not ready yet (status ${book.status})`);
      }
      return { book, ...(await openObject(book.audioKey, range)) };
    },

    /** One chapter's audio, as soon as that chapter is done. */
    async chapterAudio(
      principal: Principal,
      id: string,
      n: number,
      range?: (size: number) => ByteRange | undefined,
    ) {
      const book = await requireBook(principal, id);
      const chapter = await books.getChapter(id, n);
      if (!chapter) throw notFound(`chapter ${n} of book ${id}`);
      if (chapter.status !== 'DONE' || !chapter.audioKey) {
        throw conflict(`chapter ${n} has no audio yet (status ${chapter.status})`);
      }
      return { book, chapter, ...(await openObject(chapter.audioKey, range)) };
    },
  };
}
