import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { ParsePayload, type ParseResult } from '../../flows/index.js';
import { parseEpubFile } from '../epub/epub-parser.js';
import { EpubError } from '../epub/epub-zip.js';
import { objectKeys } from '../storage/object-keys.js';
import { voiceForLanguage } from '../tts/tts-engine.js';
import { runJob, withTempDir } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

/** Splits the book into chapters, stores each chapter's text, records them. */
export function createParseProcessor({
  books,
  storage,
  tts,
  log,
}: Pick<WorkerDeps, 'books' | 'storage' | 'tts' | 'log'>) {
  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      ParsePayload,
      async ({ bookId }): Promise<ParseResult> => {
        await books.advance(bookId, 'PARSING');
        const parsed = await withTempDir(async (dir) => {
          const file = path.join(dir, 'book.epub');
          await storage.getToFile(objectKeys.source(bookId), file);
          try {
            return await parseEpubFile(file);
          } catch (err) {
            // A broken book stays broken however often we retry.
            if (err instanceof EpubError) throw new UnrecoverableError(err.message);
            throw err;
          }
        });
        for (const warning of parsed.warnings) log.warn({ bookId }, warning);
        const spoken = parsed.chapters.filter((c) => !c.skipped);
        // One object for all texts, read by range: a 1000-chapter book makes one write, not 1000.
        const ranges = new Map<number, { start: number; end: number }>();
        const texts: Buffer[] = [];
        let offset = 0;
        for (const c of spoken) {
          const bytes = Buffer.from(c.text);
          ranges.set(c.n, { start: offset, end: offset + bytes.length });
          texts.push(bytes);
          offset += bytes.length;
        }
        await storage.put(objectKeys.chapterTexts(bookId), Buffer.concat(texts));
        const coverKey = parsed.cover ? objectKeys.cover(bookId, parsed.cover.mediaType) : null;
        if (coverKey && parsed.cover) await storage.put(coverKey, parsed.cover.bytes);
        await books.insertChapters(
          bookId,
          parsed.chapters.map((c) => ({
            n: c.n,
            title: c.title,
            charCount: c.text.length,
            skipped: c.skipped,
            text: ranges.get(c.n),
          })),
        );
        await books.setDefaultVoice(bookId, voiceForLanguage(tts, parsed.language));
        await books.setMetadata(bookId, {
          title: parsed.title,
          author: parsed.author,
          language: parsed.language,
          chapterCount: parsed.chapters.length,
        });
        return {
          kind: 'parsed',
          title: parsed.title,
          author: parsed.author,
          language: parsed.language,
          chapters: spoken.map((c) => c.n),
          coverKey,
        };
      },
      async ({ bookId }, err, final) => {
        if (final) await books.fail(bookId, `The EPUB could not be read: ${err.message}`);
      },
      signal,
    );
}
