import { createHash, timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../books/http-errors.js';
import type { ApiToken } from '../config.js';

/** Who is asking: the owner their books are filed under, and whether they may see everyone's. */
export interface Principal {
  owner: string;
  admin: boolean;
}

/** The owner of every book when the API runs without tokens (loopback only; see config.ts). */
export const OPEN_ACCESS: Principal = { owner: 'local', admin: true };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Sees every book: for reads whose result is checked against the caller afterwards. */
export const ANYONE: Principal = { owner: '', admin: true };

/** Others' books are answered with 404, as if they did not exist. */
export const canSee = (principal: Principal, owner: string) =>
  principal.admin || principal.owner === owner;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Maps an Authorization header to its principal. Tokens are compared by digest
 * in constant time, so a near-miss takes as long as a miss.
 */
export function tokenIdentifier(tokens: ApiToken[]) {
  const known = tokens.map((t) => ({ digest: digest(t.token), owner: t.owner, admin: t.admin }));
  return (header: string | undefined): Principal | undefined => {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m?.[1]) return undefined;
    const d = digest(m[1]);
    const hit = known.find((k) => timingSafeEqual(k.digest, d));
    return hit && { owner: hit.owner, admin: hit.admin };
  };
}

const isPublic = (request: FastifyRequest) => request.routeOptions.url === '/health';

/**
 * Every route but /health needs a bearer token when tokens are configured, and
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
    if (isPublic(request)) return;
    const principal = principalOf(request);
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
