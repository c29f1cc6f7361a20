import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import { registerAccessControl } from './access/access-control.js';
import { bookRoutes, MAX_FIELD_BYTES } from './books/book-routes.js';
import type { BookService } from './books/book-service.js';
import { HttpError } from './books/http-errors.js';
import type { ApiToken } from './config.js';
import { isUnavailable } from './db/db-retry.js';
import type { TtsEngine } from './tts/tts-engine.js';

export interface AppDeps {
  service: BookService;
  engine: Pick<TtsEngine, 'name' | 'voices' | 'defaultVoice'>;
  maxUploadBytes: number;
  /** A request whose body has not fully arrived by then is answered 408 (`BODY_TIMEOUT`); 0: none. */
  bodyTimeoutMs: number;
  /** Each probe throws when its dependency is unreachable. */
  readiness: Record<string, () => Promise<void>>;
  /** No tokens: every caller is the one local owner. */
  access: { tokens: ApiToken[]; rate: { max: number; duration: number } };
}

/** The HTTP API as a Fastify instance; `main.ts` only makes it listen. */
export async function buildApp(
  deps: AppDeps,
  opts: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...opts,
    requestTimeout: deps.bodyTimeoutMs,
    // Node 20 honours a request timeout only when the server is built with it, and looks for
    // overdue requests every 30 s unless told: checked at a quarter of the timeout, a stalled
    // upload is answered 408 and its spool folder removed soon after.
    http: {
      requestTimeout: deps.bodyTimeoutMs,
      connectionsCheckingInterval: checkInterval(deps.bodyTimeoutMs),
    },
    ajv: { customOptions: { coerceTypes: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(
    (err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      if (request.raw.socket?.destroyed) {
        // The client went away mid-request (an aborted upload): nobody is left to answer.
        request.log.info({ err: err.message }, 'the client closed the connection mid-request');
        return reply.code(400).send();
      }
      if (isUnavailable(err))
        err = new HttpError(503, 'the database is unavailable; try again shortly');
      const status = err instanceof HttpError ? err.statusCode : errorStatus(err);
      if (status >= 500) request.log.error({ err }, 'request failed');
      // Only our own messages and Fastify's client-error messages are shown; never a stack or a path.
      const message = err instanceof HttpError || status < 500 ? err.message : 'internal error';
      return reply.code(status).send({ statusCode: status, error: statusText(status), message });
    },
  );
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route for ${request.method} ${request.url}`,
    }),
  );

  await registerAccessControl(app, deps.access);
  await app.register(multipart, {
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 5, fieldSize: MAX_FIELD_BYTES },
  });

  app.get(
    '/health',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({
      status: 'ok' as const,
    }),
  );

  const Checks = Type.Record(Type.String(), Type.String());
  app.get(
    '/ready',
    {
      schema: {
        response: {
          200: Type.Object({ status: Type.String(), checks: Checks }),
          503: Type.Object({ status: Type.String(), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(deps.readiness).map(async ([name, probe]) => {
          try {
            await withTimeout(probe(), 2000);
            return [name, 'ok'] as const;
          } catch (err) {
            return [name, `unavailable: ${(err as Error).message}`] as const;
          }
        }),
      );
      const ready = entries.every(([, v]) => v === 'ok');
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(entries) });
    },
  );

  await app.register(bookRoutes, { service: deps.service, engine: deps.engine });
  return app;
}

function errorStatus(err: { statusCode?: number; code?: string; validation?: unknown }): number {
  if (err.validation) return 400;
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') return 413;
  const s = err.statusCode;
  return s && s >= 400 && s < 600 ? s : 500;
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    406: 'Not Acceptable',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    416: 'Range Not Satisfiable',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return texts[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

function checkInterval(bodyTimeoutMs: number): number {
  return bodyTimeoutMs > 0 ? Math.min(30_000, Math.max(250, bodyTimeoutMs / 4)) : 30_000;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
