import '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BookRow, ChapterRow } from '../db/schema.js';
import {
  Accepted,
  AudioBody,
  BookIdParams,
  BookList,
  BookView,
  type BookViewT,
  ChapterParams,
  ErrorBody,
  JobNodeSchema,
  ListQuery,
  Retried,
} from './book-schemas.js';
import type { BookService } from './book-service.js';
import { HttpError } from './http-errors.js';
import { parseRange } from './range.js';

const links = (id: string) => ({
  self: `/books/${id}`,
  jobs: `/books/${id}/jobs`,
  audio: `/books/${id}/audio`,
});

const errors = { 404: ErrorBody, 409: ErrorBody };

export const bookRoutes: FastifyPluginAsyncTypebox<{ service: BookService }> = async (
  app,
  { service },
) => {
  app.post(
    '/books',
    { schema: { response: { 202: Accepted, 413: ErrorBody, 415: ErrorBody, 400: ErrorBody } } },
    async (request, reply) => {
      const file = await request.file();
      if (file?.fieldname !== 'file') {
        throw new HttpError(400, 'send the EPUB as a multipart form field named "file"');
      }
      const book = await service.upload({
        fileName: file.filename || null,
        stream: file.file,
        truncated: () => file.file.truncated,
      });
      return reply.code(202).send({ id: book.id, status: book.status, links: links(book.id) });
    },
  );

  app.get(
    '/books',
    { schema: { querystring: ListQuery, response: { 200: BookList } } },
    async (request) => {
      const before = decodeCursor(request.query.cursor);
      const rows = await service.list(request.query.limit + 1, before);
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

  app.get(
    '/books/:id',
    { schema: { params: BookIdParams, response: { 200: BookView, ...errors } } },
    async (request) => {
      const { book, chapters } = await service.get(request.params.id);
      return bookView(book, chapters);
    },
  );

  app.get(
    '/books/:id/jobs',
    { schema: { params: BookIdParams, response: { 200: JobNodeSchema, ...errors } } },
    async (request) => service.jobs(request.params.id),
  );

  app.post(
    '/books/:id/chapters/:n/retry',
    { schema: { params: ChapterParams, response: { 202: Retried, ...errors } } },
    async (request, reply) =>
      reply.code(202).send(await service.retryChapter(request.params.id, request.params.n)),
  );

  app.post(
    '/books/:id/retry',
    { schema: { params: BookIdParams, response: { 202: Retried, ...errors } } },
    async (request, reply) => reply.code(202).send(await service.retryBook(request.params.id)),
  );

  app.get(
    '/books/:id/audio',
    {
      schema: {
        params: BookIdParams,
        response: { 200: AudioBody, 206: AudioBody, ...errors, 416: ErrorBody },
      },
    },
    async (request, reply) => {
      const { book, size, range, stream } = await service.audio(request.params.id, (total) =>
        parseRange(request.headers.range, total),
      );
      const name =
        (book.title ?? 'audiobook').replace(/[^\p{L}\p{N} ._-]/gu, '').trim() || 'audiobook';
      reply
        .header('content-type', 'audio/mp4')
        .header('accept-ranges', 'bytes')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(name)}.m4b"`);
      if (range) {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1);
      } else {
        reply.header('content-length', size);
      }
      return reply.send(stream);
    },
  );
};

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
    createdAt: book.createdAt.toISOString(),
    chapters: chapters.map((c) => ({
      n: c.n,
      title: c.title,
      status: c.status,
      attempts: c.attempts,
      error: c.error,
      durationSec: c.durationSec,
    })),
    links: links(book.id),
  };
}

function encodeCursor(book: BookRow): string {
  return Buffer.from(JSON.stringify([book.createdAt.toISOString(), book.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [
      string,
      string,
    ];
    const date = new Date(createdAt);
    if (typeof id === 'string' && !Number.isNaN(date.getTime())) return { createdAt: date, id };
  } catch {
    // fall through
  }
  throw new HttpError(400, 'invalid cursor');
}
