import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canSee } from '../access/access-control.js';
import { notFound } from './http-errors.js';
import { createTtlCache } from './ttl-cache.js';

const gzipAsync = promisify(gzip);

/** One book's status answer, encoded once for every poller. */
interface Answer {
  owner: string;
  json: Buffer;
  /** The same bytes gzipped: a 1000-chapter tree shrinks from ~300 KB to a few dozen. */
  gzipped: Buffer;
}

/** True when the client takes gzip (and has not refused it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * The polled status answers (GET /books/:id and /jobs): built at most once per
 * `ttlMs` per book and shared by every poller (see ttl-cache.ts), encoded and
 * compressed once, checked against each caller's access before it is sent.
 */
export function createStatusAnswers(ttlMs: number) {
  const answers = createTtlCache<Answer>(ttlMs);
  return {
    async send(
      request: FastifyRequest,
      reply: FastifyReply,
      key: { bookId: string; view: string },
      compute: () => Promise<{ owner: string; value: unknown }>,
    ) {
      const answer = await answers.get(`${key.bookId}/${key.view}`, async () => {
        const { owner, value } = await compute();
        const json = Buffer.from(JSON.stringify(value));
        return { owner, json, gzipped: await gzipAsync(json, { level: 6 }) };
      });
      if (!canSee(request.principal, answer.owner)) throw notFound(`book ${key.bookId}`);
      reply.type('application/json').header('vary', 'accept-encoding');
      if (!acceptsGzip(request.headers['accept-encoding'])) return reply.send(answer.json);
      return reply.header('content-encoding', 'gzip').send(answer.gzipped);
    },
    /** Forgets a book's answers after a change made through the API (a retry, a cancel). */
    invalidate: (bookId: string) => answers.invalidate(`${bookId}/`),
  };
}
