import cookie from '@fastify/cookie';
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
import { SESSION_COOKIE } from './session-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Answers without a token (sign-in itself). */
    public?: boolean;
    /** Takes no body at all as an empty one (the API document says the body is optional). */
    bodyOptional?: boolean;
  }
}

/**
 * Probes answer without a token (orchestrators call them with none), and so do the API
 * document, the web page and sign-in.
 */
const isPublic = (request: FastifyRequest) => {
  const url = request.routeOptions.url ?? '';
  // /metrics checks its caller itself: an admin token, or METRICS_TOKEN, which is no API token.
  return isPublicUrl(url) || url === '/metrics';
};
/** Sign-in takes no token, but is held to the rate limit like any guess at one. */
const takesNoToken = (request: FastifyRequest) =>
  isPublic(request) || request.routeOptions.config.public === true;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A change asked with the session cookie must come from this origin's own page: the cookie
 * is SameSite=Strict, but another port of the same host is the same site.
 */
function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (READS.has(request.method) || !origin) return;
  if (new URL(origin).host !== request.headers.host) {
    throw new HttpError(403, 'a signed-in browser may only change books from its own page');
  }
}

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
  await app.register(cookie);
  const identify = tokenIdentifier(opts.tokens);
  const open = opts.tokens.length === 0;
  const fromCookie = (request: FastifyRequest) => {
    const token = request.cookies[SESSION_COOKIE];
    return token ? identify(`Bearer ${token}`) : undefined;
  };
  const principalOf = (request: FastifyRequest) =>
    open ? OPEN_ACCESS : (identify(request.headers.authorization) ?? fromCookie(request));

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
    if (takesNoToken(request)) {
      request.principal = principal ?? ANONYMOUS;
      return;
    }
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, 'send a valid API token as "Authorization: Bearer <token>"');
    }
    if (!open && !request.headers.authorization) checkOrigin(request);
    request.principal = principal;
  };
  // A route-level hook, after the rate limiter's own: failed guesses are counted too.
  app.addHook('onRoute', (route) => {
    const hooks = route.onRequest;
    route.onRequest = [...(hooks ? [hooks].flat() : []), authenticate];
  });
}
