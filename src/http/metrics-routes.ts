import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { metrics, registry } from '../metrics/metrics.js';
import { HttpError } from './http-errors.js';
import { ErrorBody } from './schemas.js';

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Prometheus text at /metrics, for an admin token or `METRICS_TOKEN` (a scraper
 * need not hold an API token). The route checks the caller itself.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<{
  metricsToken: string | undefined;
}> = async (app, { metricsToken }) => {
  app.get(
    '/metrics',
    {
      schema: {
        description: 'Prometheus metrics of this process (admin token or METRICS_TOKEN)',
        produces: ['text/plain'],
        response: { 200: Type.String(), 401: ErrorBody },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const scraper = metricsToken !== undefined && same(bearer, metricsToken);
      if (!request.principal?.admin && !scraper) {
        reply.header('www-authenticate', 'Bearer');
        throw new HttpError(401, 'send an admin token or METRICS_TOKEN as a bearer token');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};

/** Every answer's duration, by route pattern (never the raw URL: ids would explode the labels). */
export function measureRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
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
