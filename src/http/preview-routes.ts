import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SPEED_RANGE } from '../../flows/index.js';
import type { BookService } from '../books/book-service.js';
import { sendAudio } from './audio-routes.js';
import { AudioAnswer, ChapterParams, ErrorBody } from './schemas.js';

/** Previews make speech: each token may ask this many a minute (beside the API's own limit). */
export const PREVIEW_RATE = { max: 10, timeWindow: 60_000 };

const PreviewChoice = Type.Object(
  {
    /** One of GET /voices; the book's voice by default. */
    voice: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** One of GET /voices, for what is inside quotation marks; the book's dialogue voice by default. */
    dialogueVoice: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** The book's speed by default. */
    speed: Type.Optional(Type.Number(SPEED_RANGE)),
  },
  { additionalProperties: false },
);

const responses = {
  200: AudioAnswer,
  400: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  410: ErrorBody,
  503: ErrorBody,
};

/** Hearing it before committing: a chapter's opening, a voice's sample sentence. */
export const previewRoutes: FastifyPluginAsyncTypebox<{
  service: BookService['previews'];
}> = async (app, { service }) => {
  app.post(
    '/books/:id/chapters/:n/preview',
    {
      schema: { params: ChapterParams, body: PreviewChoice, response: responses },
      // No body at all is the book's own voice and speed.
      config: { rateLimit: PREVIEW_RATE, bodyOptional: true },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { id, n } = request.params;
      const audio = await service.chapter(request.principal, id, Number(n), request.body);
      return sendAudio(reply, audio, `preview ${n}`);
    },
  );

  app.get(
    '/voices/:id/sample',
    {
      schema: {
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses,
      },
      config: { rateLimit: PREVIEW_RATE },
    },
    async (request, reply) => sendAudio(reply, await service.sample(request.params.id), 'sample'),
  );
};
