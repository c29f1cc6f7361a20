import path from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Principal } from '../access/principal.js';
import type { BookRow } from '../db/schema.js';
import {
  READALONG_DIR,
  type ReadAlongBuild,
  type ReadAlongRequest,
} from '../epub/readalong-build.js';
import { sourceFile } from '../source-files.js';
import type { Storage } from '../storage/storage.js';
import { withTempDir } from '../temp-dir.js';
import { oneAtATimePerCore, runInThread } from '../thread-entry.js';
import { refuseCancelled, requireReady } from './book-files.js';
import type { BookQueries } from './book-queries.js';
import { chapterMarks, timedChapter } from './book-subtitles.js';

const THREAD = sourceFile('../epub/readalong-thread', import.meta.url);

export interface ReadAlongDeps {
  books: Pick<BookQueries, 'getChapters'>;
  storage: Pick<Storage, 'get' | 'getToFile'>;
  requireBook(principal: Principal, id: string): Promise<BookRow>;
}

/**
 * A READY book's EPUB with EPUB 3 Media Overlays (epub/readalong-build.ts), made when asked:
 * its text and overlays are built in a thread from the stored EPUB and the timings of its
 * chapters, and the package is streamed with the chapters' audio read from storage, so a
 * read-along costs no storage of its own.
 */
export function createReadAlong(deps: ReadAlongDeps) {
  const build = oneAtATimePerCore<ReadAlongBuild>();

  async function open(principal: Principal, id: string) {
    const book = await deps.requireBook(principal, id);
    refuseCancelled(book);
    requireReady(book);
    const chapters = chapterMarks(await deps.books.getChapters(id)).map((m) => m.chapter);
    // One file per recording: a dry run's chapters all point at one.
    const audio = new Map<string, string>();
    for (const c of chapters) {
      if (c.audioKey && !audio.has(c.audioKey))
        audio.set(
          c.audioKey,
          `${READALONG_DIR}/audio/${String(audio.size + 1).padStart(4, '0')}${path.extname(c.audioKey)}`,
        );
    }
    const request = (file: string): ReadAlongRequest => ({
      file,
      chapters: chapters.map((c) => ({
        audio: audio.get(c.audioKey ?? '') ?? '',
        durationSec: c.durationSec ?? 0,
        cues: timedChapter(c),
      })),
      modified: (book.readyAt ?? book.updatedAt).toISOString(),
    });
    const built = await build(() =>
      withTempDir(async (dir) => {
        const file = path.join(dir, 'book.epub');
        await deps.storage.getToFile(book.sourceKey, file);
        const answer = await runInThread<{ built: ReadAlongBuild }>(THREAD, {
          request: request(file),
        });
        return answer.built;
      }, 'bookflow-readalong-'),
    );
    return { book, stream: packageStream(built, audio, deps.storage) };
  }

  return { open };
}

/** The package as a ZIP stream: `mimetype` first and stored (OCF), the audio streamed from storage. */
function packageStream(
  built: ReadAlongBuild,
  audio: Map<string, string>,
  storage: Pick<Storage, 'get'>,
): Readable {
  const zip = new yazl.ZipFile();
  // No extra field on `mimetype`: reading systems find the type at a fixed offset.
  zip.addBuffer(Buffer.from('application/epub+zip'), 'mimetype', {
    compress: false,
    forceDosTimestamp: true,
  });
  for (const e of built.entries)
    zip.addBuffer(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength), e.name, {
      compress: e.compress,
    });
  for (const [key, name] of audio) {
    zip.addReadStreamLazy(name, { compress: false }, (cb) => {
      storage.get(key).then(
        (stream) => cb(null, stream),
        (err) => cb(err, undefined as unknown as Readable),
      );
    });
  }
  zip.end();
  return zip.outputStream as Readable;
}
