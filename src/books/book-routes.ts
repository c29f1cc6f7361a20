import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BOOK_ID_PATTERN } from '../../flows/index.js';
import { ANYONE } from '../access/access-control.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import type { ByteRange } from '../storage/storage.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import {
  Accepted,
  AudioBody,
  BookIdParams,
  BookList,
  BookView,
  type BookViewT,
  Cancelled,
  ChapterParams,
  ErrorBody,
  JobNodeSchema,
  ListQuery,
  Retried,
  UploadHeaders,
  VoiceList,
} from './book-schemas.js';
import type { BookService, UploadPart } from './book-service.js';
import { HttpError } from './http-errors.js';
import { parseRange } from './range.js';
import { createStatusAnswers } from './status-answers.js';

const links = (id: string) => ({
  self: `/books/${id}`,
  jobs: `/books/${id}/jobs`,
  audio: `/books/${id}/audio`,
});

const errors = { 404: ErrorBody, 409: ErrorBody };

/**
 * Status routes are polled by every client, many times a minute: two log lines
 * per poll would cost more than the answer. Their failures are still logged.
 */
const POLLED = 'warn';

/** How often a polled status answer is rebuilt (see status-answers.ts). */
const STATUS_TTL_MS = 500;

/** Room for the multipart framing and form fields around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export const bookRoutes: FastifyPluginAsyncTypebox<{
  service: BookService;
  engine: Pick<TtsEngine, 'name' | 'voices' | 'defaultVoice'>;
}> = async (app, { service, engine }) => {
  app.post(
    '/books',
    {
      schema: {
        headers: UploadHeaders,
        response: { 202: Accepted, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody },
      },
      // An upload that announces its size is refused before a byte of it is read
      // (multipart bodies are read by the handler, after this hook and after authentication).
      preValidation: async (request) => {
        const length = Number(request.headers['content-length'] ?? 0);
        if (length > service.maxUploadBytes + MULTIPART_OVERHEAD) throw service.tooLarge();
      },
    },
    async (request, reply) => {
      const { book, replayed } = await service.upload(
        request.principal,
        uploadParts(request),
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(202).send({ id: book.id, status: book.status, links: links(book.id) });
    },
  );

  app.get('/voices', { schema: { response: { 200: VoiceList } } }, async () => ({
    engine: engine.name,
    default: engine.defaultVoice,
    voices: engine.voices,
  }));

  app.get(
    '/books',
    { schema: { querystring: ListQuery, response: { 200: BookList } } },
    async (request) => {
      const before = decodeCursor(request.query.cursor);
      const rows = await service.list(request.principal, request.query.limit + 1, before);
      const page = rows.slice(0, request.query.limit);
      const last = page[page.length - 1];
      return {
        books: page.map((b) => ({
          id: b.id,
          status: b.status,
          title: b.title,
          author: b.author,
          createdAt: b.createdAt.toISOString(),
          links: links(b.id),
        })),
        next: rows.length > page.length && last ? encodeCursor(last) : null,
      };
    },
  );

  const polled = createStatusAnswers(STATUS_TTL_MS);

  app.get(
    '/books/:id',
    { schema: { params: BookIdParams, response: { 200: BookView, ...errors } }, logLevel: POLLED },
    async (request, reply) => {
      const { id } = request.params;
      return polled.send(request, reply, { bookId: id, view: 'book' }, async () => {
        const { book, chapters } = await service.get(ANYONE, id);
        return { owner: book.owner, value: bookView(book, chapters) };
      });
    },
  );

  app.get(
    '/books/:id/jobs',
    {
      schema: { params: BookIdParams, response: { 200: JobNodeSchema, ...errors } },
      logLevel: POLLED,
    },
    async (request, reply) => {
      const { id } = request.params;
      return polled.send(request, reply, { bookId: id, view: 'jobs' }, async () => {
        const { owner, tree } = await service.jobs(ANYONE, id);
        return { owner, value: tree };
      });
    },
  );

  app.post(
    '/books/:id/chapters/:n/retry',
    { schema: { params: ChapterParams, response: { 202: Retried, ...errors } } },
    async (request, reply) => {
      const retried = await service.retryChapter(
        request.principal,
        request.params.id,
        Number(request.params.n),
      );
      polled.invalidate(request.params.id);
      return reply.code(202).send(retried);
    },
  );

  app.post(
    '/books/:id/retry',
    { schema: { params: BookIdParams, response: { 202: Retried, ...errors } } },
    async (request, reply) => {
      const retried = await service.retryBook(request.principal, request.params.id);
      polled.invalidate(request.params.id);
      return reply.code(202).send(retried);
    },
  );

  app.delete(
    '/books/:id',
    { schema: { params: BookIdParams, response: { 202: Cancelled, ...errors } } },
    async (request, reply) => {
      const cancelled = await service.cancel(request.principal, request.params.id);
      polled.invalidate(request.params.id);
      return reply.code(202).send(cancelled);
    },
  );

  const audioResponses = { 200: AudioBody, 206: AudioBody, ...errors, 416: ErrorBody };

  app.get(
    '/books/:id/audio',
    { schema: { params: BookIdParams, response: audioResponses } },
    async (request, reply) => {
      const audio = await service.audio(request.principal, request.params.id, (size) =>
        parseRange(request.headers.range, size),
      );
      return sendAudio(reply, audio, audio.book.title ?? 'audiobook');
    },
  );

  app.get(
    '/books/:id/chapters/:n/audio',
    { schema: { params: ChapterParams, response: audioResponses } },
    async (request, reply) => {
      const { id } = request.params;
      const n = Number(request.params.n);
      const audio = await service.chapterAudio(request.principal, id, n, (size) =>
        parseRange(request.headers.range, size),
      );
      return sendAudio(reply, audio, `${String(n).padStart(3, '0')} ${audio.chapter.title}`);
    },
  );
};

/** Longest form field (voice, speed, format…): anything longer is not a choice but a flood. */
export const MAX_FIELD_BYTES = 64 * 1024;

const badMultipart = (err: Error) =>
  new HttpError(
    400,
    `the upload is not a well-formed multipart/form-data body (${err.message.slice(0, 100)}); send the EPUB as the form field "file"`,
  );

/**
 * Maps @fastify/multipart's parts to the service's own, so the service knows
 * nothing of Fastify; a body the multipart parser cannot read (no boundary, a
 * wrong one, cut short) is the client's error, wherever the parser notices it.
 * A connection that closes mid-body (dropped, or cut by a malformed chunk) does
 * not always end the parser's streams, even before the handler runs: each step
 * races it, so the spool file is never waited on forever.
 */
async function* uploadParts(request: FastifyRequest): AsyncIterable<UploadPart> {
  const clientError = (err: Error & { statusCode?: number }) =>
    err instanceof HttpError || err.statusCode ? err : badMultipart(err);
  const closed = connectionClosed(request);
  let stream: PassThrough | undefined;
  closed.promise.catch((err: Error) => stream?.destroy(err));
  try {
    const parts = request.parts()[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([parts.next(), closed.promise]);
      if (next.done) return;
      const part = next.value;
      if (part.type === 'file') {
        stream = new PassThrough();
        const out = stream;
        part.file.on('error', (err: Error) => out.destroy(clientError(err)));
        part.file.pipe(stream);
        yield {
          type: 'file',
          field: part.fieldname,
          fileName: part.filename || null,
          stream,
          truncated: () => part.file.truncated,
        };
      } else {
        if (part.valueTruncated || part.fieldnameTruncated)
          throw new HttpError(400, `a form field is longer than ${MAX_FIELD_BYTES / 1024} KB`);
        yield { type: 'field', field: part.fieldname, value: String(part.value) };
      }
    }
  } catch (err) {
    throw clientError(err as Error);
  } finally {
    closed.stop();
  }
}

/** Rejects once the request's connection closes before its body was complete. */
function connectionClosed(request: FastifyRequest) {
  const raw = request.raw;
  const cut = () => badMultipart(new Error('the connection closed before the body was complete'));
  let onClose = () => {};
  const promise = new Promise<never>((_, reject) => {
    onClose = () => {
      if (!raw.complete) reject(cut());
    };
    if (raw.destroyed) onClose();
    else raw.once('close', onClose);
  });
  promise.catch(() => {}); // observed by the races above
  return { promise, stop: () => raw.off('close', onClose) };
}

const CONTENT_TYPES: Record<string, string> = {
  '.m4b': 'audio/mp4',
  '.m4a': 'audio/mp4',
  '.mp3': 'audio/mpeg',
};

/**
 * Streams stored audio, honouring a Range request (players seek this way). The
 * file's extension and type come from its object key, which object-keys.ts derives.
 */
function sendAudio(
  reply: FastifyReply,
  audio: { key: string; size: number; range: ByteRange | undefined; stream: Readable },
  name: string,
) {
  const ext = path.extname(audio.key);
  const safe = `${name.replace(/[^\p{L}\p{N} ._-]/gu, '').trim() || 'audio'}${ext}`;
  reply
    .header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(safe)}`);
  const { range, size } = audio;
  if (range) {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', size);
  }
  return reply.send(audio.stream);
}

function bookView(book: BookRow, chapters: ChapterRow[]): BookViewT {
  const counted = chapters.filter((c) => c.status !== 'SKIPPED');
  return {
    id: book.id,
    status: book.status,
    title: book.title,
    author: book.author,
    language: book.language,
    progress: { done: counted.filter((c) => c.status === 'DONE').length, total: counted.length },
    error: book.error,
    durationSec: book.durationSec,
    voice: book.voice,
    speed: book.speed,
    format: book.format,
    createdAt: book.createdAt.toISOString(),
    chapters: chapters.map((c) => ({
      n: c.n,
      title: c.title,
      status: c.status,
      attempts: c.attempts,
      error: c.error,
      durationSec: c.durationSec,
    })),
    leftOut: book.leftOut,
    links: links(book.id),
  };
}

function encodeCursor(book: BookRow): string {
  return Buffer.from(JSON.stringify([book.createdAt.toISOString(), book.id])).toString('base64url');
}

const BOOK_ID = new RegExp(BOOK_ID_PATTERN);

/** A cursor is only ever one we made: a date a book could have been created at, and a book id. */
function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const date = new Date(String(createdAt));
    const year = date.getUTCFullYear();
    if (typeof id === 'string' && BOOK_ID.test(id) && year >= 2000 && year <= 9999)
      return { createdAt: date, id };
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid cursor: pass the "next" value of the previous page as it is');
}
