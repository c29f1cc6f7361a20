import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BookService } from '../books/book-service.js';
import type { BookEventRow } from '../db/schema.js';
import type { EventHub } from '../events/event-hub.js';
import type { EventFilter } from '../events/event-queries.js';
import type { VoiceEvents } from '../events/voice-events.js';
import { installView } from '../voices/voice-installs.js';
import { BookIdParams, ErrorBody } from './schemas.js';

const EventStream = Type.String({
  description:
    'text/event-stream. Events: `book` (status, error, title, counts), `progress` (on /events) ' +
    "or `chapter` (on /books/{id}/events), `voice` (on /events, admins: a voice install's progress), " +
    '`ready` (first, when not resuming), `reset` (events ' +
    'after Last-Event-ID were pruned: reload).',
});
const EventHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
});
/** A client a megabyte behind is cut off; it reconnects with Last-Event-ID and misses nothing. */
const MAX_BACKLOG_BYTES = 1024 * 1024;

/**
 * Server-sent events: `/events` for the caller's books (all books for admins),
 * `/books/:id/events` for one book's chapters. Access as for GET: a stream
 * never carries another owner's book (the hub filters by owner).
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{
  hub: EventHub;
  service: BookService['events'];
  voices: VoiceEvents;
}> = async (app, { hub, service, voices }) => {
  // Statuses are shared for a moment (STATUS_TTL_MS); a change made anywhere (a worker, another
  // API) drops the shared copy before any stream hears of it, so a client that reads the book
  // on an event reads the change.
  await hub.subscribe({
    filter: {},
    send: (e) => service.changed(e.bookId),
    heartbeat: () => {},
    end: () => {},
  });
  const schema = { headers: EventHeaders, response: { 200: EventStream } };
  app.get('/events', { schema, logLevel: 'warn' }, async (request, reply) => {
    const { owner, admin } = request.principal;
    stream(hub, request, reply, admin ? {} : { owner }, (e) =>
      e.kind === 'book' ? ['book', e.data] : ['progress', { progress: e.data.progress }],
    );
    // Admins also hear voice installs: live progress only (no id, nothing to resume).
    if (admin) {
      const res = reply.raw;
      const stop = voices.subscribe((row) =>
        res.write(`event: voice\ndata: ${JSON.stringify(installView(row))}\n\n`),
      );
      res.once('close', stop);
    }
  });
  app.get(
    '/books/:id/events',
    { schema: { ...schema, params: BookIdParams, response: { 200: EventStream, 404: ErrorBody } } },
    async (request, reply) => {
      await service.requireBook(request.principal, request.params.id);
      stream(hub, request, reply, { bookId: request.params.id }, (e) => [e.kind, e.data]);
    },
  );
};

type Shape = (e: BookEventRow) => [string, unknown];

function stream(
  hub: EventHub,
  request: FastifyRequest,
  reply: FastifyReply,
  filter: EventFilter,
  shape: Shape,
): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // nginx and similar proxies would hold events back to fill a buffer.
    'x-accel-buffering': 'no',
  });
  // The browser's EventSource waits this long before it reconnects.
  res.write('retry: 2000\n\n');
  const write = (text: string) => {
    if (res.writableLength > MAX_BACKLOG_BYTES) res.destroy();
    else res.write(text);
  };
  const event = (id: number, name: string, data: unknown) =>
    write(`id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  const lastId = request.headers['last-event-id'];
  hub
    .subscribe(
      {
        filter,
        send: (e) => {
          const [name, data] = shape(e);
          event(e.id, name, { bookId: e.bookId, ...(data as object) });
        },
        heartbeat: () => write(': keep-alive\n\n'),
        end: () => res.end(),
      },
      lastId === undefined ? undefined : Number(lastId),
    )
    .then(({ unsubscribe, cursor, resumed }) => {
      if (lastId === undefined) event(cursor, 'ready', {});
      else if (!resumed) event(cursor, 'reset', {});
      res.once('close', unsubscribe);
      if (res.destroyed) unsubscribe();
    })
    .catch((err: Error) => {
      request.log.error({ err }, 'event stream failed');
      res.destroy();
    });
}
