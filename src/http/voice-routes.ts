import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { createVoiceInstalls } from '../voices/voice-installs.js';
import { HttpError } from './http-errors.js';
import { ErrorBody, Nullable } from './schemas.js';

const Install = Type.Object({
  id: Type.String(),
  state: Type.Union(['PENDING', 'RUNNING', 'DONE', 'FAILED'].map((s) => Type.Literal(s))),
  doneBytes: Type.Integer({ minimum: 0 }),
  totalBytes: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
});

const CatalogueEntry = Type.Object({
  id: Type.String(),
  engine: Type.String(),
  language: Type.String(),
  quality: Type.String(),
  licence: Type.String(),
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** Offered for uploads here. */
  installed: Type.Boolean(),
  /** Its install through the API, if one was asked for. */
  install: Nullable(Install),
});

const VoiceId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * Installing voices for the whole fleet, for admins: the catalogues (Piper's, Kokoro's) with
 * what is installed, and an install asked for. A worker downloads it into storage; every
 * process then brings it into its voices folder (voices/voice-watch.ts), and admins' `/events`
 * streams carry its progress as `voice` events.
 */
export const voiceRoutes: FastifyPluginAsyncTypebox<{
  installs: ReturnType<typeof createVoiceInstalls>;
}> = async (app, { installs }) => {
  app.addHook('preHandler', async (request) => {
    if (!request.principal?.admin)
      throw new HttpError(403, 'installing voices is for admin tokens');
  });
  app.get(
    '/voices/catalogue',
    { schema: { response: { 200: Type.Array(CatalogueEntry), 403: ErrorBody, 503: ErrorBody } } },
    () => installs.list(),
  );
  app.post(
    '/voices/:id/install',
    {
      schema: {
        params: VoiceId,
        response: { 202: Install, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => reply.code(202).send(await installs.install(request.params.id)),
  );
};
