import path from 'node:path';
import type { Job } from 'bullmq';
import { ParsePayload, type ParseResult } from '../../flows/index.js';
import { EpubError } from '../epub/epub-limits.js';
import { DEFAULT_READ_OPTIONS, type ParsedBook } from '../epub/parsed-book.js';
import { fitted } from '../errors.js';
import { objectKeys } from '../storage/object-keys.js';
import { withTempDir } from '../temp-dir.js';
import { packTexts } from '../text/chapter-text.js';
import { voiceFor } from '../tts/voices.js';
import { checkedCover } from './cover-check.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<
  'storage' | 'tts' | 'log' | 'parseBook',
  'getBook' | 'advance' | 'fail' | 'insertChapters' | 'setDefaultVoice' | 'setMetadata'
>;

/** Splits the book into chapters, stores each chapter's text, records them. */
export function createParseProcessor(deps: Deps) {
  const { books, storage, log } = deps;

  /** Reads the stored EPUB (in the parse thread) and checks its cover, in a scratch folder. */
  function read(bookId: string, signal: AbortSignal | undefined) {
    return withTempDir(async (dir) => {
      const file = path.join(dir, 'book.epub');
      const [book] = await Promise.all([
        books.getBook(bookId),
        storage.getToFile(objectKeys.source(bookId), file),
      ]);
      const options = { ...DEFAULT_READ_OPTIONS, ...book?.readOptions };
      const parsed = await deps.parseBook(file, options, signal);
      return { parsed, cover: await checkedCover(parsed.cover, dir) };
    });
  }

  /** Stores the chapters' texts and the cover; records chapters, metadata and what was left out. */
  async function record(bookId: string, parsed: ParsedBook, cover: ParsedBook['cover']) {
    const leftOut = [...parsed.warnings];
    if (parsed.cover && !cover)
      leftOut.push('the cover image could not be read, so the audiobook has none');
    // What a book leaves out is expected (a licence, a contents page): said, not warned of.
    if (leftOut.length > 0) log.info({ bookId, leftOut }, 'not read aloud');
    // Skipped chapters' texts are kept too: a reviewer may choose to have them read.
    const { texts, ranges } = packTexts(parsed.chapters.filter((c) => c.text.trim()));
    await storage.put(objectKeys.chapterTexts(bookId), texts);
    const coverKey = cover ? objectKeys.cover(bookId, cover.mediaType) : null;
    if (coverKey && cover) await storage.put(coverKey, cover.bytes);
    await books.insertChapters(
      bookId,
      parsed.chapters.map((c) => ({
        n: c.n,
        title: c.title,
        charCount: c.text.length,
        wordCount: c.words,
        excerpt: c.excerpt,
        skipped: c.skipped,
        text: ranges.get(c.n),
      })),
    );
    await books.setDefaultVoice(
      bookId,
      voiceFor({ voice: null, language: parsed.language }, deps.tts),
    );
    await books.setMetadata(bookId, {
      title: parsed.title,
      author: parsed.author,
      language: parsed.language,
      chapterCount: parsed.chapters.length,
      leftOut,
    });
    return coverKey;
  }

  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: ParsePayload,
        // A broken book stays broken however often we retry.
        isPermanent: (err) => err instanceof EpubError,
        async run({ bookId }): Promise<ParseResult> {
          await books.advance(bookId, 'PARSING');
          const { parsed, cover } = await read(bookId, signal);
          const coverKey = await record(bookId, parsed, cover);
          log.info({ bookId, chapters: parsed.chapters.length }, 'book parsed');
          // Uploaded with autostart=false: the merge waits until its uploader starts it.
          if ((await books.getBook(bookId))?.autostart === false)
            await books.advance(bookId, 'REVIEW');
          return {
            kind: 'parsed',
            title: parsed.title,
            author: parsed.author,
            language: parsed.language,
            chapters: parsed.chapters.filter((c) => !c.skipped).map((c) => c.n),
            coverKey,
          };
        },
        async onFailure({ bookId }, message, final) {
          if (final) await books.fail(bookId, fitted('The EPUB could not be read: ', message));
        },
      },
      { signal, log },
    );
}
