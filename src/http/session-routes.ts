import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Principal } from '../access/principal.js';
import type { DeliveryTarget } from '../books/book-delivery.js';
import { HttpError } from './http-errors.js';
import { DeliveryTargetSchema, ErrorBody } from './schemas.js';

/** The cookie that carries a signed-in browser's token (read by auth.ts). */
export const SESSION_COOKIE = 'bookflow_token';

const Session = Type.Object({
  owner: Type.String(),
  admin: Type.Boolean(),
  /** False when the API runs without tokens: no sign-in needed. */
  tokensRequired: Type.Boolean(),
  /** Where READY books can be sent (POST /books/:id/deliveries): ["abs"] once Audiobookshelf is configured. */
  deliveryTargets: Type.Array(DeliveryTargetSchema),
});

/**
 * Sign-in for the web app. A browser cannot add a bearer header to an <audio>
 * element or an EventSource, so the token it signs in with is kept in an
 * HttpOnly cookie for the browser session (no expiry: gone when the browser
 * closes) and read by auth.ts like the header.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  identify(authorization: string): Principal | undefined;
  tokensRequired: boolean;
  deliveryTargets: readonly DeliveryTarget[];
}> = async (app, { identify, tokensRequired, deliveryTargets }) => {
  const about = { tokensRequired, deliveryTargets: [...deliveryTargets] };
  app.get('/session', { schema: { response: { 200: Session } } }, async (request) => ({
    owner: request.principal.owner,
    admin: request.principal.admin,
    ...about,
  }));

  app.post(
    '/session',
    {
      config: { public: true },
      schema: {
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: Session, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = identify(`Bearer ${request.body.token}`);
      if (!principal) throw new HttpError(401, 'that token is not valid here');
      reply.setCookie(SESSION_COOKIE, request.body.token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: request.protocol === 'https',
      });
      return { ...principal, ...about };
    },
  );

  app.delete(
    '/session',
    { config: { public: true }, schema: { response: { 204: Type.Null() } } },
    async (_request, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
};
