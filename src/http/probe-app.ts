import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandler } from './error-handler.js';
import { metricsRoutes } from './metrics-routes.js';
import { type ReadinessSources, readinessReport } from './service-routes.js';

/**
 * A worker's own probes and metrics on WORKER_PORT: /health, /ready (with each
 * dependency's state; the port is the cluster's, not the public's) and
 * /metrics (METRICS_TOKEN), so each worker instance can be probed and scraped.
 */
export async function buildProbeApp(deps: {
  readiness: ReadinessSources;
  metricsToken: string | undefined;
}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerErrorHandler(app);
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const report = await readinessReport(deps.readiness);
    return reply.code(report.status === 'unavailable' ? 503 : 200).send(report);
  });
  await app.register(metricsRoutes, { metricsToken: deps.metricsToken });
  return app;
}
