import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify, { LogController } from 'fastify';
import { type ApiToken, tokenIdentifier } from '../access/principal.js';
import type { BookService } from '../books/book-service.js';
import type { BookRow } from '../db/schema.js';
import type { EventHub } from '../events/event-hub.js';
import type { VoiceEvents } from '../events/voice-events.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import { estimatedSeconds } from '../tts/voices.js';
import type { createVoiceInstalls } from '../voices/voice-installs.js';
import { registerApiDocs } from './api-docs.js';
import { audioRoutes } from './audio-routes.js';
import { registerAccessControl } from './auth.js';
import { bookRoutes } from './book-routes.js';
import { deliveryRoutes } from './delivery-routes.js';
import { registerErrorHandler } from './error-handler.js';
import { eventRoutes } from './event-routes.js';
import { HttpError } from './http-errors.js';
import { lexiconRoutes } from './lexicon-routes.js';
import { metricsRoutes, recordRequests } from './metrics-routes.js';
import { MAX_FIELD_BYTES } from './multipart.js';
import { previewRoutes } from './preview-routes.js';
import { registerQueueDashboard } from './queue-dashboard.js';
import { requestValidation } from './request-validation.js';
import { reviewRoutes } from './review-routes.js';
import { type ReadinessSources, serviceRoutes } from './service-routes.js';
import { sessionRoutes } from './session-routes.js';
import { subtitleRoutes } from './subtitle-routes.js';
import { voiceRoutes } from './voice-routes.js';
import { registerWebApp } from './web-app.js';

export interface AppDeps {
  service: BookService;
  engine: Pick<TtsEngine, 'name' | 'voices' | 'defaultVoice' | 'wordsPerMinute'>;
  maxUploadBytes: number;
  /** A request whose body has not fully arrived by then is answered 408 (`BODY_TIMEOUT`); 0: none. */
  bodyTimeoutMs: number;
  /** An upload that sends nothing for this long is answered 408 (`BODY_IDLE_TIMEOUT`); 0: never. */
  bodyIdleTimeoutMs: number;
  readiness: ReadinessSources;
  /** No tokens: every caller is the one local owner. */
  access: { tokens: ApiToken[]; rate: { max: number; duration: number } };
  /** A bearer token for /metrics besides admin tokens (for scrapers). */
  metricsToken?: string;
  /** Live events (`/events`); the app ends their streams when it closes. */
  events: EventHub;
  /** The queues the admin dashboard shows (unset: no dashboard). */
  dashboardQueues?: Pick<QueueBackend, 'queue'>;
  /** Voices installed for the fleet (admins), and their progress for admins' streams. */
  voices: { installs: ReturnType<typeof createVoiceInstalls>; events: VoiceEvents };
}

/**
 * The HTTP API as a Fastify instance: infrastructure (errors, auth, multipart)
 * first, then one plugin of routes per resource. `main.ts` only makes it
 * listen; tests `inject` into it (test/support/test-app.ts).
 */
export async function buildApp(
  deps: AppDeps,
  opts: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...opts,
    // One line a request instead of Fastify's two (recordRequests, metrics-routes.ts).
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: deps.bodyTimeoutMs,
    // Node 20 honours a request timeout only when the server is built with it, and looks for
    // overdue requests every 30 s unless told: checked at a quarter of the timeout, a stalled
    // upload is answered 408 and its spool folder removed soon after.
    http: {
      requestTimeout: deps.bodyTimeoutMs,
      connectionsCheckingInterval: checkInterval(deps.bodyTimeoutMs),
    },
    // `GET /books/` is `GET /books`; an overlong id is its schema's to refuse (400), not a 414.
    // The router answers 414 to a longer parameter before any schema sees it; none is matched
    // by a pattern, so Node's own bound (a 16 KB request line) is the only one needed.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    ...requestValidation,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const methods = methodsByPath(app);

  registerErrorHandler(app);
  recordRequests(app);
  // What this server offers, which its document and its session both tell.
  const offered = {
    tokensRequired: deps.access.tokens.length > 0,
    deliveryTargets: deps.service.deliveries.targets,
  };
  await registerApiDocs(app, offered);
  await registerAccessControl(app, deps.access);
  await app.register(multipart, {
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 16, fieldSize: MAX_FIELD_BYTES },
  });
  await app.register(serviceRoutes, { engine: deps.engine, readiness: deps.readiness });
  await app.register(sessionRoutes, { identify: tokenIdentifier(deps.access.tokens), ...offered });
  await registerWebApp(app);
  // Estimates at the pace of the voice each book is read in (tts/voices.ts).
  const estimate = (words: number, book: BookRow) => estimatedSeconds(words, book, deps.engine);
  const idleMs = deps.bodyIdleTimeoutMs;
  await app.register(bookRoutes, { service: deps.service.books, estimate, idleMs });
  await app.register(audioRoutes, { service: deps.service.files });
  await app.register(lexiconRoutes, { service: deps.service.lexicon });
  await app.register(reviewRoutes, { service: deps.service.review, estimate });
  await app.register(previewRoutes, { service: deps.service.previews });
  await app.register(subtitleRoutes, { service: deps.service });
  await app.register(deliveryRoutes, { service: deps.service.deliveries });
  const { events: hub, voices } = deps;
  await app.register(eventRoutes, { hub, service: deps.service.events, voices: voices.events });
  await app.register(voiceRoutes, { installs: deps.voices.installs });
  // Open streams would keep the server from closing: end them first (clients reconnect elsewhere).
  app.addHook('preClose', deps.events.close);
  app.addHook('onClose', deps.voices.events.stop);
  await app.register(metricsRoutes, { metricsToken: deps.metricsToken });
  if (deps.dashboardQueues) await registerQueueDashboard(app, deps.dashboardQueues);
  answerOtherMethods(app, methods);
  return app;
}

/** The methods each path answers, collected as routes are added. */
function methodsByPath(app: FastifyInstance): Map<string, Set<string>> {
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const set = methods.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) if (m !== 'HEAD') set.add(m);
    methods.set(route.url, set);
  });
  return methods;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A known path asked with a method it does not take: 405 and the methods it does (`Allow`).
 * Routes answer the standard methods; any other (QUERY, TRACE…) is answered before its
 * body would be read (Fastify parses a QUERY's first, and refused it 400 for want of a type).
 */
function answerOtherMethods(app: FastifyInstance, methods: Map<string, Set<string>>): void {
  const patterns: [RegExp, string][] = [];
  for (const [url, taken] of [...methods]) {
    const allow = [...taken].join(', ');
    patterns.push([pathPattern(url), allow]);
    const others = METHODS.filter((m) => !taken.has(m));
    if (others.length === 0) continue;
    app.route({
      method: others,
      url,
      schema: { hide: true },
      handler: async () => {
        throw new HttpError(405, `${url} takes ${allow}`, { allow });
      },
    });
  }
  // The fewest parameters first: a static path before a pattern that also matches it.
  patterns.sort(([a], [b]) => a.source.split('[^/]+').length - b.source.split('[^/]+').length);
  app.addHook('onRequest', async (request) => {
    if (!request.is404) return;
    const path = request.url.split('?', 1)[0] as string;
    const allow = patterns.find(([pattern]) => pattern.test(path))?.[1];
    if (allow) throw new HttpError(405, `${path} takes ${allow}`, { allow });
  });
}

/** A route's path (`/books/:id/parts.zip`, `/docs/*`) as a pattern for request paths. */
function pathPattern(url: string): RegExp {
  const literal = url.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${literal.replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}$`);
}

function checkInterval(bodyTimeoutMs: number): number {
  return bodyTimeoutMs > 0 ? Math.min(30_000, Math.max(250, bodyTimeoutMs / 4)) : 30_000;
}
