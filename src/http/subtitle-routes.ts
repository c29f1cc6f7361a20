import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { BookService } from '../books/book-service.js';
import { type TimedText, toSrt, toVtt } from '../text/subtitle-format.js';
import { attachment } from './audio-routes.js';
import { BookIdParams, ChapterParams, EpubAnswer, ErrorBody } from './schemas.js';

const FORMATS = {
  vtt: { type: 'text/vtt', name: 'WebVTT', write: toVtt },
  srt: { type: 'application/x-subrip', name: 'SubRip', write: toSrt },
} as const;

/** The answers of a subtitles route, its file documented with the content type it is sent as. */
const responses = (format: keyof typeof FORMATS) => {
  const { type, name } = FORMATS[format];
  const cues = Type.String({ description: `${name}: one cue per sentence (or per request)` });
  return {
    200: { content: { [type]: { schema: cues } } },
    404: ErrorBody,
    409: ErrorBody,
    410: ErrorBody,
  };
};

function send(reply: FastifyReply, format: keyof typeof FORMATS, cues: TimedText[], name: string) {
  const { type, write } = FORMATS[format];
  const file = `${name.replace(/[^\p{L}\p{N} ._-]/gu, '').trim() || 'subtitles'}.${format}`;
  return reply
    .header('content-type', `${type}; charset=utf-8`)
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file)}`)
    .send(write(cues));
}

/**
 * What the timings each chapter job measured give: subtitles for the whole book (READY) and
 * each chapter (DONE), as WebVTT and SubRip, a cue a sentence (see TtsEngine.unit); and the
 * book's EPUB as a read-along, its text highlighted as it is read (EPUB 3 Media Overlays).
 */
export const subtitleRoutes: FastifyPluginAsyncTypebox<{
  service: Pick<BookService, 'subtitles' | 'readAlong'>;
}> = async (app, { service }) => {
  for (const format of ['vtt', 'srt'] as const) {
    app.get(
      `/books/:id/subtitles.${format}`,
      { schema: { params: BookIdParams, response: responses(format) } },
      async (request, reply) => {
        const { book, cues } = await service.subtitles.ofBook(request.principal, request.params.id);
        return send(reply, format, cues, book.title ?? 'audiobook');
      },
    );
    app.get(
      `/books/:id/chapters/:n/subtitles.${format}`,
      { schema: { params: ChapterParams, response: responses(format) } },
      async (request, reply) => {
        const { id, n } = request.params;
        const { cues } = await service.subtitles.ofChapter(request.principal, id, Number(n));
        return send(reply, format, cues, `chapter ${n}`);
      },
    );
  }

  app.get(
    '/books/:id/readalong.epub',
    {
      schema: {
        params: BookIdParams,
        response: { 200: EpubAnswer, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody },
      },
    },
    async (request, reply) => {
      const { book, stream } = await service.readAlong.open(request.principal, request.params.id);
      return reply
        .header('content-type', 'application/epub+zip')
        .header(
          'content-disposition',
          attachment(`${book.title ?? 'audiobook'} (read along)`, '.epub'),
        )
        .send(stream);
    },
  );
};
