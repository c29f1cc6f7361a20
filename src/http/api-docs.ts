import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { JobNodeSchema } from '../books/job-tree.js';
import { ErrorBody } from './schemas.js';
import { isWebPage } from './web-app.js';

/** The multipart form of `POST /books`, for the document only (the handler reads the stream). */
const UploadForm = Type.Object({
  file: Type.String({ format: 'binary', description: 'the EPUB' }),
  voice: Type.Optional(Type.String({ description: 'one of GET /voices' })),
  speed: Type.Optional(Type.Number({ minimum: 0.5, maximum: 2 })),
  format: Type.Optional(Type.Union([Type.Literal('m4b'), Type.Literal('mp3')])),
  altText: Type.Optional(
    Type.Boolean({ description: "read pictures' alt text (a manga's dialogue); false by default" }),
  ),
  boilerplate: Type.Optional(
    Type.Union([Type.Literal('skip'), Type.Literal('keep')], {
      description: "keep: read Project Gutenberg's header and licence and printed contents pages",
    }),
  ),
  lexicon: Type.Optional(
    Type.String({
      description:
        'pronunciation lexicon: JSON {"word": "replacement"} or lines word = replacement; whole words; all-lowercase words match any case',
    }),
  ),
  autostart: Type.Optional(
    Type.Boolean({
      description:
        'false: stop at REVIEW once parsed, to pick chapters (PATCH /books/{id}/chapters/{n}) and start it (POST /books/{id}/start)',
    }),
  ),
  splitHours: Type.Optional(
    Type.Number({
      minimum: 0.001,
      maximum: 1000,
      description: 'longer than this many hours: also delivered in parts at chapter boundaries',
    }),
  ),
  deliver: Type.Optional(
    Type.Literal('abs', {
      description: 'push the book to the configured Audiobookshelf once READY',
    }),
  ),
  priority: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 10,
      description: '1 soonest, 5 by default; below 5 for admin tokens only',
    }),
  ),
});

/** Routes anyone may call: the probes, and this document with its page. */
export const isPublicUrl = (url: string) =>
  url === '/health' ||
  url === '/ready' ||
  url === '/openapi.json' ||
  url.startsWith('/docs') ||
  isWebPage(url);

/**
 * OpenAPI 3.1, generated from the route schemas (`/openapi.json`), with a docs
 * page at `/docs` whose assets the app serves itself (no CDN). Every route
 * but the public ones takes a bearer token and may answer 401 or 429.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  // The job tree's node refers to itself: shared once, by name, in the document's components.
  app.addSchema(JobNodeSchema);
  app.addHook('onRoute', (route) => {
    if (isPublicUrl(route.url) || route.schema?.hide) return;
    route.schema = {
      ...route.schema,
      response: { 401: ErrorBody, 429: ErrorBody, ...(route.schema?.response as object) },
    };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'bookflow',
        version: '0.1.0',
        description: 'Turns EPUB books into audiobooks. See the README for the walk-through.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    transform: ({ schema, url, route }) => {
      // The queue dashboard is a page for people, not part of the API.
      if (url.startsWith('/admin/')) return { schema: { ...schema, hide: true }, url };
      const open = isPublicUrl(url) || route.config?.public ? { security: [] } : {};
      if (url === '/books' && route.method === 'POST')
        return {
          schema: { ...schema, ...open, consumes: ['multipart/form-data'], body: UploadForm },
          url,
        };
      return { schema: { ...schema, ...open }, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
