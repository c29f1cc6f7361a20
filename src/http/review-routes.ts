import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BookService } from '../books/book-service.js';
import { chapterView, type Estimate } from './book-views.js';
import {
  BookIdParams,
  ChapterEdit,
  ChapterParams,
  ChapterView,
  ErrorBody,
  Started,
} from './schemas.js';

const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** A book uploaded with `autostart=false`: its chapters picked and renamed, then started. */
export const reviewRoutes: FastifyPluginAsyncTypebox<{
  service: BookService['review'];
  estimate: Estimate;
}> = async (app, { service, estimate }) => {
  app.patch(
    '/books/:id/chapters/:n',
    {
      schema: {
        params: ChapterParams,
        body: ChapterEdit,
        response: { 200: ChapterView, ...errors },
      },
    },
    async (request) => {
      const { id, n } = request.params;
      const { book, chapter } = await service.editChapter(
        request.principal,
        id,
        Number(n),
        request.body,
      );
      return chapterView(chapter, estimate(chapter.wordCount, book));
    },
  );

  app.post(
    '/books/:id/start',
    { schema: { params: BookIdParams, response: { 202: Started, ...errors } } },
    async (request, reply) =>
      reply.code(202).send(await service.start(request.principal, request.params.id)),
  );
};
