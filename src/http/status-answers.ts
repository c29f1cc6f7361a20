import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const gzipAsync = promisify(gzip);

/** A status answer, encoded once for every poller. */
interface Answer {
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
 * Polled status answers (GET /books/:id and /jobs). The service shares one
 * snapshot of a book among every caller it lets see it (book-service.ts); the
 * answer made from a snapshot is encoded and compressed once, kept as long as
 * the snapshot is.
 */
export function createStatusAnswers() {
  const answers = new WeakMap<object, Promise<Answer>>();
  return function send(
    request: FastifyRequest,
    reply: FastifyReply,
    snapshot: object,
    render: () => unknown,
  ) {
    let answer = answers.get(snapshot);
    if (!answer) {
      const json = Buffer.from(JSON.stringify(render()));
      answer = gzipAsync(json, { level: 6 }).then((gzipped) => ({ json, gzipped }));
      answers.set(snapshot, answer);
    }
    return answer.then((a) => {
      reply.type('application/json').header('vary', 'accept-encoding');
      if (!acceptsGzip(request.headers['accept-encoding'])) return reply.send(a.json);
      return reply.header('content-encoding', 'gzip').send(a.gzipped);
    });
  };
}
