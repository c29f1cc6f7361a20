import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { BookService } from '../books/book-service.js';
import type { ByteRange } from '../storage/storage.js';
import { safeFileName } from '../text/clean-text.js';
import { parseRange } from './range.js';
import {
  AudioAnswer,
  BookIdParams,
  ChapterParams,
  ErrorBody,
  FILE_TYPES,
  ZipAnswer,
} from './schemas.js';

const audioResponses = {
  200: AudioAnswer,
  206: AudioAnswer,
  404: ErrorBody,
  409: ErrorBody,
  410: ErrorBody,
  416: ErrorBody,
};

/** The audiobook and each chapter's audio, with Range support (players seek this way); the cover. */
export const audioRoutes: FastifyPluginAsyncTypebox<{ service: BookService['files'] }> = async (
  app,
  { service },
) => {
  app.get(
    '/books/:id/audio',
    { schema: { params: BookIdParams, response: audioResponses } },
    async (request, reply) => {
      const audio = await service.audio(request.principal, request.params.id, (size) =>
        parseRange(request.headers.range, size),
      );
      return sendAudio(reply, audio, audio.book.title ?? 'audiobook');
    },
  );

  app.get(
    '/books/:id/cover',
    {
      schema: {
        params: BookIdParams,
        response: { 200: Type.Unsafe({ type: 'string', format: 'binary' }), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const cover = await service.cover(request.principal, request.params.id);
      return reply
        .header('content-type', 'image/jpeg')
        .header('content-length', cover.size)
        .header('cache-control', 'private, max-age=3600')
        .send(cover.stream);
    },
  );

  app.get(
    '/books/:id/chapters/:n/audio',
    { schema: { params: ChapterParams, response: audioResponses } },
    async (request, reply) => {
      const { id } = request.params;
      const n = Number(request.params.n);
      const audio = await service.chapterAudio(request.principal, id, n, (size) =>
        parseRange(request.headers.range, size),
      );
      return sendAudio(reply, audio, `${String(n).padStart(3, '0')} ${audio.chapter.title}`);
    },
  );
  partRoutes(app, service);
};

/** A book delivered in parts (`splitHours`): each part, and all of them in one zip. */
function partRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], service: BookService['files']) {
  app.get(
    '/books/:id/parts/:n/audio',
    { schema: { params: ChapterParams, response: audioResponses } },
    async (request, reply) => {
      const { id } = request.params;
      const part = Number(request.params.n);
      const audio = await service.part(request.principal, id, part, (size) =>
        parseRange(request.headers.range, size),
      );
      const of = audio.book.partCount ?? part;
      return sendAudio(reply, audio, `${audio.book.title ?? 'audiobook'} - Part ${part} of ${of}`);
    },
  );
  app.get(
    '/books/:id/parts.zip',
    {
      schema: {
        params: BookIdParams,
        response: { 200: ZipAnswer, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody },
      },
    },
    async (request, reply) => {
      const zip = await service.part(request.principal, request.params.id, 'zip');
      return sendAudio(reply, zip, `${zip.book.title ?? 'audiobook'} - parts`);
    },
  );
}

/**
 * Streams stored audio, honouring a Range request. The file's extension and
 * type come from its object key, which object-keys.ts derives.
 */
export function sendAudio(
  reply: FastifyReply,
  audio: { key: string; size: number; range: ByteRange | undefined; stream: Readable },
  name: string,
) {
  const ext = path.extname(audio.key);
  reply
    .header('content-type', FILE_TYPES[ext] ?? 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('content-disposition', attachment(name, ext));
  const { range, size } = audio;
  if (range) {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', size);
  }
  return reply.send(audio.stream);
}

/** A download's `content-disposition`, named after the book (its title, made safe) with `ext`. */
export function attachment(name: string, ext: string): string {
  const safe = `${safeFileName(name)}${ext}`;
  // `filename*` for clients that read UTF-8 names; plain `filename` (ASCII) for the rest, curl -OJ too.
  const ascii =
    safe
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/"/g, '') || `audio${ext}`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe)}`;
}
