import swagger, { type SwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { type DeliveryTarget, JobNodeSchema } from '../../flows/index.js';
import { uploadForm } from '../books/upload-form.js';
import { ErrorBody } from './schemas.js';
import { isWebPage } from './web-app.js';

/** Routes anyone may call: the probes, and this document with its page. */
export const isPublicUrl = (url: string) =>
  url === '/health' ||
  url === '/ready' ||
  url === '/openapi.json' ||
  url.startsWith('/docs') ||
  isWebPage(url);

/** A route schema key @fastify/swagger carries into the document, as it does every `x-` key. */
const BODY_OPTIONAL = 'x-body-optional';

/** What this server offers, which its document describes rather than every server's options. */
export interface ApiDocsOptions {
  /** API_TOKENS set: every route but the public ones takes a bearer token (else 401). */
  tokensRequired: boolean;
  /** Where books may be pushed; none configured: the upload has no `deliver`, no deliveries route. */
  deliveryTargets: readonly DeliveryTarget[];
}

/**
 * OpenAPI 3.1, generated from the route schemas (`/openapi.json`), with a docs
 * page at `/docs` whose assets the app serves itself (no CDN). Every route
 * but the public ones may answer 400 (a malformed request) or 429, and where tokens
 * are required takes a bearer token (401 without).
 */
export async function registerApiDocs(
  app: FastifyInstance,
  { tokensRequired, deliveryTargets }: ApiDocsOptions,
): Promise<void> {
  // The job tree's node refers to itself: shared once, by name, in the document's components.
  app.addSchema(JobNodeSchema);
  app.addHook('onRoute', (route) => {
    if (isPublicUrl(route.url) || route.schema?.hide) return;
    route.schema = {
      ...route.schema,
      response: {
        400: ErrorBody,
        ...(tokensRequired ? { 401: ErrorBody } : {}),
        429: ErrorBody,
        ...(route.schema?.response as object),
      },
    };
  });
  await app.register(swagger, swaggerOptions({ tokensRequired, deliveryTargets }));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** The document's frame, and how each route's schema and the whole are shown in it. */
function swaggerOptions({ tokensRequired, deliveryTargets }: ApiDocsOptions): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'bookflow',
        version: '0.1.0',
        description: 'Turns EPUB books into audiobooks. See the README for the walk-through.',
      },
      ...(tokensRequired && {
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      }),
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    transform: ({ schema, url, route }) => {
      // The queue dashboard is a page for people, not part of the API.
      if (url.startsWith('/admin/')) return { schema: { ...schema, hide: true }, url };
      if (url.endsWith('/deliveries') && deliveryTargets.length === 0)
        return { schema: { ...schema, hide: true }, url };
      const open = isPublicUrl(url) || route.config?.public ? { security: [] } : {};
      if (url === '/books' && route.method === 'POST')
        return {
          schema: {
            ...schema,
            ...open,
            consumes: ['multipart/form-data'],
            body: uploadForm(deliveryTargets),
          },
          url,
        };
      const optional = route.config?.bodyOptional ? { [BODY_OPTIONAL]: true } : {};
      return { schema: { ...schema, ...open, ...optional }, url };
    },
    // @fastify/swagger marks every body required (Fastify wants one where a schema is given);
    // routes that take none as {} say so.
    transformObject: (document) => {
      const openapiObject = 'openapiObject' in document ? document.openapiObject : {};
      for (const methods of Object.values(openapiObject.paths ?? {}))
        for (const op of Object.values(methods as Record<string, Record<string, unknown>>)) {
          if (!op?.[BODY_OPTIONAL]) continue;
          delete op[BODY_OPTIONAL];
          (op.requestBody as { required: boolean }).required = false;
        }
      return openapiObject;
    },
  };
}
