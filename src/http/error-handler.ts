import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { isUnavailable } from '../db/db-retry.js';
import {
  ConflictError,
  type DomainError,
  GoneError,
  InvalidInputError,
  MismatchError,
  NotFoundError,
  TooLargeError,
  UnavailableError,
  UnsupportedFileError,
} from '../errors.js';
import { HttpError } from './http-errors.js';

/** The one place a domain error becomes an HTTP status. */
const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [InvalidInputError, 400],
  [NotFoundError, 404],
  [ConflictError, 409],
  [GoneError, 410],
  [TooLargeError, 413],
  [MismatchError, 422],
  [UnsupportedFileError, 415],
  [UnavailableError, 503],
];

type RequestError = Error & { statusCode?: number; code?: string; validation?: unknown };

/** A status for any error, and whether its message may be shown (ours and client errors). */
export function statusOf(err: RequestError): { status: number; shown: boolean } {
  if (isUnavailable(err)) return { status: 503, shown: false };
  const mapped = STATUS_OF.find(([kind]) => err instanceof kind);
  if (mapped) return { status: mapped[1], shown: true };
  if (err instanceof HttpError) return { status: err.statusCode, shown: true };
  if (err.validation) return { status: 400, shown: true };
  if (err.code === 'FST_REQ_FILE_TOO_LARGE') return { status: 413, shown: true };
  const s = err.statusCode;
  return s && s >= 400 && s < 500 ? { status: s, shown: true } : { status: 500, shown: false };
}

/**
 * Every error answer has one shape, `{statusCode, error, message}`, and never a
 * stack or a path: only our own messages and Fastify's client-error messages
 * are shown; anything else is logged and answered with a generic sentence.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: RequestError, request, reply) => {
    if (request.raw.socket?.destroyed) {
      // The client went away mid-request (an aborted upload): nobody is left to answer.
      request.log.info({ err: err.message }, 'the client closed the connection mid-request');
      return reply.code(400).send();
    }
    const { status, shown } = statusOf(err);
    if (err instanceof HttpError) reply.headers(err.headers);
    if (status >= 500) request.log.error({ err }, 'request failed');
    const message = shown
      ? err.message
      : status === 503
        ? 'the database is unavailable; try again shortly'
        : 'internal error';
    return reply
      .code(status)
      .send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route for ${request.method} ${request.url.slice(0, 200)}`,
    }),
  );
}
