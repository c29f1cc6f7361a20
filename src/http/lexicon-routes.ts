import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { BookService } from '../books/book-service.js';
import { ErrorBody } from './schemas.js';

const Entries = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 200 }), {
  description:
    'word → what is said instead; whole words; an all-lowercase word matches any case, one with a capital only as written',
});
const LexiconBody = Type.Object({ entries: Entries });

/** The caller's own pronunciation lexicon, applied to every book they upload afterwards. */
export const lexiconRoutes: FastifyPluginAsyncTypebox<{ service: BookService['lexicon'] }> = async (
  app,
  { service },
) => {
  app.get('/lexicon', { schema: { response: { 200: LexiconBody } } }, async (request) => ({
    entries: await service.get(request.principal),
  }));

  app.put(
    '/lexicon',
    { schema: { body: LexiconBody, response: { 200: LexiconBody, 400: ErrorBody } } },
    async (request) => ({
      entries: await service.set(request.principal, request.body.entries),
    }),
  );
};
