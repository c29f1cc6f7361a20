import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ANONYMOUS,
  type ApiToken,
  OPEN_ACCESS,
  type Principal,
  tokenIdentifier,
} from '../access/principal.js';
import { isPublicUrl } from './api-docs.js';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Probes answer without a token (orchestrators call them with none), and so does the API document. */
const isPublic = (request: FastifyRequest) => {
  const url = request.routeOptions.url ?? '';
  // /metrics checks its caller itself: an admin token, or METRICS_TOKEN, which is no API token.
  return isPublicUrl(url) || url === '/metrics';
};

/**
 * Every route but the probes (/health, /ready) needs a bearer token when tokens
 * are configured (probes answer anyone, so compose and Kubernetes can call them;
 * a valid token is still read there, so admins see details), and
 * every caller is held to `rate` requests per period: per token, or per address
 * for callers without a valid one (so guessing tokens is throttled too).
 */
export async function registerAccessControl(
  app: FastifyInstance,
  opts: { tokens: ApiToken[]; rate: { max: number; duration: number } },
): Promise<void> {
  const identify = tokenIdentifier(opts.tokens);
  const open = opts.tokens.length === 0;
  const principalOf = (request: FastifyRequest) =>
    open ? OPEN_ACCESS : identify(request.headers.authorization);

  await app.register(rateLimit, {
    max: opts.rate.max,
    timeWindow: opts.rate.duration,
    allowList: (request) => isPublic(request),
    keyGenerator: (request) => {
      const principal = principalOf(request);
      return principal ? `owner:${principal.owner}` : `ip:${request.ip}`;
    },
  });

  // Set on every request by the hook below (Fastify wants null, not an object, here).
  app.decorateRequest('principal', null as unknown as Principal);
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = principalOf(request);
    if (isPublic(request)) {
      request.principal = principal ?? ANONYMOUS;
      return;
    }
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, 'send a valid API token as "Authorization: Bearer <token>"');
    }
    request.principal = principal;
  };
  // A route-level hook, after the rate limiter's own: failed guesses are counted too.
  app.addHook('onRoute', (route) => {
    const hooks = route.onRequest;
    route.onRequest = [...(hooks ? [hooks].flat() : []), authenticate];
  });
}
