import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { QUEUE_KEYS } from '../../flows/index.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { HttpError } from './http-errors.js';

export const DASHBOARD_PATH = '/admin/queues';

const THIRD_PARTY_FONTS = /<link[^>]+fonts\.googleapis\.com[^>]*>/g;

/**
 * Bull Board at /admin/queues: every queue, its jobs and each book's flow, for
 * admin tokens only (in open mode the API listens on loopback only, and its one
 * caller is an admin). Authentication runs first (a route-level onRequest hook,
 * see auth.ts); this scope then refuses anyone but an admin.
 */
export async function registerQueueDashboard(
  app: FastifyInstance,
  queues: Pick<QueueBackend, 'queue'>,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_KEYS.map((key) => new BullMQAdapter(queues.queue(key), { readOnlyMode: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'bookflow queues' } },
  });
  await app.register(async (scope) => {
    scope.addHook('preHandler', async (request) => {
      if (!request.principal?.admin)
        throw new HttpError(403, 'the queue dashboard is for admin tokens');
    });
    // Its page asks Google for its fonts: an operator's browser tells a third party each
    // visit, and a site without internet waits on it. Its own CSS falls back to system fonts.
    scope.addHook('onSend', async (_request, reply, payload) =>
      typeof payload === 'string' && /^text\/html/.test(String(reply.getHeader('content-type')))
        ? payload.replace(THIRD_PARTY_FONTS, '')
        : payload,
    );
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
