import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { trace } from '@opentelemetry/api';
import { Type } from '@sinclair/typebox';
import type { BookService } from '../books/book-service.js';
import {
  bookSummary,
  bookView,
  decodeCursor,
  type Estimate,
  encodeCursor,
  links,
} from './book-views.js';
import { formEntries, MULTIPART_OVERHEAD, notMultipart } from './multipart.js';
import {
  Accepted,
  BookIdParams,
  BookList,
  BookView,
  Cancelled,
  CancelQuery,
  ChapterParams,
  ErrorBody,
  JobNodeSchema,
  LIST_LIMIT,
  ListQuery,
  Retried,
  UploadHeaders,
} from './schemas.js';
import { createStatusAnswers } from './status-answers.js';

const errors = { 404: ErrorBody, 409: ErrorBody };

/**
 * Status routes are polled by every client, many times a minute: two log lines
 * per poll would cost more than the answer. Their failures are still logged.
 */
const POLLED = 'warn';

type App = Parameters<FastifyPluginAsyncTypebox>[0];

const tracer = trace.getTracer('bookflow');

/** The books resource: upload, list, status, job tree, retries, cancel. */
export const bookRoutes: FastifyPluginAsyncTypebox<{
  service: BookService['books'];
  estimate: Estimate;
  /** An upload that sends nothing for this long is answered 408. */
  idleMs: number;
}> = async (app, { service, estimate, idleMs }) => {
  upload(app, service, idleMs);
  list(app, service);
  statusReads(app, service, estimate);
  actions(app, service);
};

function upload(app: App, service: BookService['books'], idleMs: number) {
  // Any body reaches the handler's checks unparsed (this plugin only), so a JSON body, an empty
  // one or a raw EPUB is told how to upload rather than answered with a parser's error.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
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
        if (!request.isMultipart()) throw notMultipart();
      },
    },
    // The upload's span is the root of the book's trace: the flow is added inside it (tracing.ts).
    async (request, reply) =>
      tracer.startActiveSpan('POST /books', async (span) => {
        try {
          const { book, replayed } = await service.upload(
            request.principal,
            formEntries(request, idleMs),
            request.headers['idempotency-key'],
          );
          span.setAttribute('book.id', book.id);
          if (replayed) reply.header('idempotent-replayed', 'true');
          else
            request.log.info(
              { bookId: book.id, owner: book.owner, file: book.fileName },
              'book accepted',
            );
          return reply.code(202).send({ id: book.id, status: book.status, links: links(book.id) });
        } finally {
          span.end();
        }
      }),
  );
}

/** The caller's books, newest first, a page at a time, with their progress. */
function list(app: App, service: BookService['books']) {
  app.get(
    '/books',
    { schema: { querystring: ListQuery, response: { 200: BookList } } },
    async (request) => {
      // The schema's default fills an absent limit; its type cannot say so.
      const { limit = LIST_LIMIT, status, q } = request.query;
      const before = decodeCursor(request.query.cursor);
      const { rows, progress } = await service.list(request.principal, {
        limit: limit + 1,
        before,
        status,
        titleHas: q,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        books: page.map((b) => bookSummary(b, progress.get(b.id))),
        next: rows.length > page.length && last ? encodeCursor(last) : null,
      };
    },
  );
}

/** The polled status routes: a book's status, and its job tree. */
function statusReads(app: App, service: BookService['books'], estimate: Estimate) {
  const sendStatus = createStatusAnswers();

  app.get(
    '/books/:id',
    { schema: { params: BookIdParams, response: { 200: BookView, ...errors } }, logLevel: POLLED },
    async (request, reply) => {
      const snapshot = await service.get(request.principal, request.params.id);
      return sendStatus(request, reply, snapshot, () => bookView(snapshot, estimate));
    },
  );

  app.get(
    '/books/:id/jobs',
    {
      schema: { params: BookIdParams, response: { 200: Type.Ref(JobNodeSchema), ...errors } },
      logLevel: POLLED,
    },
    async (request, reply) => {
      const answer = await service.jobTree(request.principal, request.params.id);
      return sendStatus(request, reply, answer, () => answer.tree);
    },
  );
}

function actions(app: App, service: BookService['books']) {
  app.post(
    '/books/:id/chapters/:n/retry',
    { schema: { params: ChapterParams, response: { 202: Retried, ...errors } } },
    async (request, reply) => {
      const { id, n } = request.params;
      return reply.code(202).send(await service.retryChapter(request.principal, id, Number(n)));
    },
  );

  app.post(
    '/books/:id/retry',
    { schema: { params: BookIdParams, response: { 202: Retried, ...errors } } },
    async (request, reply) =>
      reply.code(202).send(await service.retryBook(request.principal, request.params.id)),
  );

  app.delete(
    '/books/:id',
    {
      schema: {
        params: BookIdParams,
        querystring: CancelQuery,
        response: { 202: Cancelled, ...errors },
      },
    },
    async (request, reply) => {
      const { purge } = request.query;
      return reply
        .code(202)
        .send(await service.cancel(request.principal, request.params.id, { purge }));
    },
  );
}
