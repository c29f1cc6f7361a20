import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { tokenIdentifier } from '../access/principal.js';
import { metrics, registry } from '../metrics/metrics.js';
import { HttpError } from './http-errors.js';
import { ErrorBody } from './schemas.js';
import { isWebPage } from './web-app.js';

/**
 * Prometheus text at /metrics, for an admin token or `METRICS_TOKEN` (a scraper
 * need not hold an API token). The route checks the caller itself.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<{
  metricsToken: string | undefined;
}> = async (app, { metricsToken }) => {
  // The metrics token is checked as API tokens are (by digest, in constant time).
  const scraper = tokenIdentifier(
    metricsToken ? [{ owner: 'metrics', token: metricsToken, admin: false }] : [],
  );
  app.get(
    '/metrics',
    {
      schema: {
        description: 'Prometheus metrics of this process (admin token or METRICS_TOKEN)',
        response: { 200: { content: { 'text/plain': { schema: Type.String() } } }, 401: ErrorBody },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      if (!request.principal?.admin && !scraper(request.headers.authorization)) {
        reply.header('www-authenticate', 'Bearer');
        throw new HttpError(401, 'send an admin token or METRICS_TOKEN as a bearer token');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};

/**
 * Every answer: its duration in the metrics, by route pattern (never the raw URL: ids would
 * explode the labels), and one log line (Fastify's own two a request are turned off), at
 * debug for the web app's files, at the route's own level otherwise (polled routes: warn).
 */
export function recordRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode };
    const ms = Math.round(reply.elapsedTime);
    if (isWebPage(request.url)) request.log.debug({ ...line, ms }, 'request');
    else request.log.info({ ...line, ms }, 'request');
    metrics.httpSeconds.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
