import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FormEntry } from '../books/book-service.js';
import { HttpError } from './http-errors.js';

/** Longest form field (voice, speed, format…): anything longer is not a choice but a flood. */
export const MAX_FIELD_BYTES = 64 * 1024;

/** Room for the multipart framing and form fields around the file itself. */
export const MULTIPART_OVERHEAD = 64 * 1024;

/** What a client that sent anything but a multipart form is told. */
export const notMultipart = () =>
  new HttpError(
    415,
    'send the EPUB as multipart/form-data with the file in the field "file" (curl -F file=@book.epub)',
  );

const badMultipart = (err: Error) =>
  new HttpError(
    400,
    `the upload is not a well-formed multipart/form-data body (${err.message.slice(0, 100)}); send the EPUB as the form field "file"`,
  );

/**
 * Maps @fastify/multipart's parts to the service's form entries, so the service knows
 * nothing of Fastify; a body the multipart parser cannot read (no boundary, a
 * wrong one, cut short) is the client's error, wherever the parser notices it.
 * A connection that closes mid-body (dropped, or cut by a malformed chunk) does
 * not always end the parser's streams, even before the handler runs: each step
 * races it, so the spool file is never waited on forever.
 */
export async function* formEntries(request: FastifyRequest, idleMs = 0): AsyncIterable<FormEntry> {
  const clientError = (err: Error & { statusCode?: number; code?: string }) => {
    if (err.code === 'FST_FILES_LIMIT')
      return new HttpError(400, 'one file per upload: send one EPUB in the form field "file"');
    return err instanceof HttpError || err.statusCode ? err : badMultipart(err);
  };
  const closed = connectionClosed(request, idleMs);
  let stream: PassThrough | undefined;
  closed.promise.catch((err: Error) => stream?.destroy(err));
  try {
    const parts = request.parts()[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([parts.next(), closed.promise]);
      if (next.done) return;
      const part = next.value;
      if (part.type === 'file') {
        // A body that ends inside the file part (Content-Length honest, the closing boundary
        // missing) has the parser destroy the file stream before it is handed over: its
        // error would never reach a listener attached now, and the upload would hang.
        const early =
          part.file.errored ??
          (part.file.destroyed && !part.file.readableEnded ? new Error('cut short') : null);
        if (early) throw clientError(early);
        stream = new PassThrough();
        const out = stream;
        part.file.on('error', (err: Error) => out.destroy(clientError(err)));
        part.file.pipe(stream);
        yield {
          type: 'file',
          field: part.fieldname,
          fileName: part.filename || null,
          stream,
          truncated: () => part.file.truncated,
        };
      } else {
        if (part.valueTruncated || part.fieldnameTruncated)
          throw new HttpError(400, `a form field is longer than ${MAX_FIELD_BYTES / 1024} KB`);
        yield { type: 'field', field: part.fieldname, value: String(part.value) };
      }
    }
  } catch (err) {
    throw clientError(err as Error);
  } finally {
    closed.stop();
  }
}

/**
 * Rejects once the request's connection closes before its body was complete, or (408) when
 * no byte of it has arrived for `idleMs`: an upload that stops sending is not held for the
 * whole BODY_TIMEOUT. The socket's byte count is watched, so the body's stream is left alone.
 */
function connectionClosed(request: FastifyRequest, idleMs: number) {
  const raw = request.raw;
  const cut = () => badMultipart(new Error('the connection closed before the body was complete'));
  let onClose = () => {};
  let watch: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    onClose = () => {
      if (!raw.complete) reject(cut());
    };
    if (raw.destroyed) onClose();
    else raw.once('close', onClose);
    if (idleMs > 0) watch = idleWatch(raw, idleMs, reject);
  });
  promise.catch(() => {}); // observed by the races above
  return {
    promise,
    stop: () => {
      raw.off('close', onClose);
      clearInterval(watch);
    },
  };
}

function idleWatch(raw: FastifyRequest['raw'], idleMs: number, reject: (err: Error) => void) {
  const read = () => raw.socket?.bytesRead ?? 0;
  let seen = read();
  let since = Date.now();
  const timer = setInterval(
    () => {
      if (raw.complete) return clearInterval(timer);
      if (read() !== seen) {
        seen = read();
        since = Date.now();
      } else if (Date.now() - since >= idleMs) {
        clearInterval(timer);
        reject(
          new HttpError(
            408,
            `nothing of the upload arrived for ${idleMs / 1000} s; send it again`,
            // The rest of the body will not be read: the connection ends with the answer.
            { connection: 'close' },
          ),
        );
      }
    },
    Math.min(1000, Math.max(50, idleMs / 4)),
  );
  timer.unref();
  return timer;
}
