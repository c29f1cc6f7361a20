import { once } from 'node:events';
import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { TtsPayload, type TtsResult } from '../../flows/index.js';
import type { AudioFormat } from '../audio/audio-format.js';
import { type FfmpegProcess, probeDuration, spawnFfmpeg } from '../audio/ffmpeg.js';
import { encodeChapterJob } from '../audio/ffmpeg-args.js';
import { normalizePcm, silence } from '../audio/loudness.js';
import { silentChapter } from '../audio/silent-chapter.js';
import { createTtlCache } from '../books/ttl-cache.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { objectKeys } from '../storage/object-keys.js';
import type { Storage } from '../storage/storage.js';
import { withTempDir } from '../temp-dir.js';
import { splitSegments } from '../tts/segments.js';
import { PermanentTtsError, type SessionOptions, type TtsEngine } from '../tts/tts-engine.js';
import type { Pcm } from '../tts/wav.js';
import { CancelledError, runJob } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

/** Pauses, in seconds: after the chapter's title, and at its end (so one chapter does not run into the next). */
export const PAUSE_AFTER_TITLE = 0.8;
export const PAUSE_AFTER_CHAPTER = 1.5;

/** Synthesizes one chapter, segment by segment, and encodes it in the book's format in the same job. */
export function createGenerateAudioProcessor({
  books,
  storage,
  tts,
  ttsMaxChars,
  log,
}: Pick<WorkerDeps, 'books' | 'storage' | 'tts' | 'ttsMaxChars' | 'log'>) {
  // A thousand chapter jobs of one book read one row: share it for a second. (A cancel
  // is not missed meanwhile: the cancel watcher aborts running jobs on its own.)
  const bookRows = createTtlCache<BookRow | undefined>(1000);
  // Dry runs: the shared silences this process has seen stored.
  const silenced = new Set<string>();
  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: TtsPayload,
        // The server will refuse the same request again: fail the chapter now, with its message.
        isPermanent: (err) => err instanceof PermanentTtsError,
        async run({ bookId, n }): Promise<TtsResult> {
          // One round trip: the book, and the chapter marked started unless it is already DONE.
          const [book, started] = await Promise.all([
            bookRows.get(bookId, () => books.getBook(bookId)),
            books.chapterStarted(bookId, n),
          ]);
          if (!book) throw new Error(`book ${bookId} no longer exists`);
          if (book.status === 'CANCELLED') throw new CancelledError();
          const chapter = started ?? (await books.getChapter(bookId, n));
          // A re-submitted flow (book-reconciler.ts) finds its finished chapters done: none is spoken twice.
          const done =
            chapter?.status === 'DONE' && chapter.audioKey && chapter.durationSec !== null;
          if (done && (await storage.size(chapter.audioKey as string)) !== undefined) {
            const { audioKey, durationSec } = chapter as { audioKey: string; durationSec: number };
            return { kind: 'chapter-audio', n, audioKey, durationSec };
          }
          if (!started) await books.chapterStarted(bookId, n, { evenIfDone: true });
          let audioKey = objectKeys.chapterAudio(bookId, n, book.format);
          let durationSec: number;
          if (tts.dryRun) {
            // Every chapter of a dry run shares one stored silence: no work per chapter.
            const silent = await silentChapter(book.format);
            audioKey = objectKeys.dryRunSilence(bookId, book.format);
            if (!silenced.has(audioKey) && (await storage.size(audioKey)) === undefined)
              await storage.put(audioKey, silent.bytes);
            if (silenced.size > 10_000) silenced.clear();
            silenced.add(audioKey);
            durationSec = silent.durationSec;
          } else {
            const title = chapter?.title ?? `Chapter ${n}`;
            const text = await chapterText(storage, bookId, chapter);
            const split = splitTitle(title, text);
            const segments = [split.title, ...splitSegments(split.body, ttsMaxChars)].filter((t) =>
              t.trim(),
            );
            const session: SessionOptions = {
              language: book.language ?? 'en',
              voice: book.voice ?? tts.defaultVoice,
              speed: book.speed,
            };
            durationSec = await withTempDir(async (dir) => {
              const file = path.join(dir, `${n}.${book.format}`);
              await synthesizeToFile(
                tts,
                session,
                segments,
                book.format,
                file,
                (done) => job.updateProgress(Math.round((done / segments.length) * 100)),
                signal,
              );
              await storage.putFile(audioKey, file);
              return probeDuration(file);
            });
          }
          await books.chapterDone(bookId, n, audioKey, durationSec);
          return { kind: 'chapter-audio', n, audioKey, durationSec };
        },
        async onFailure({ bookId, n }, message, final) {
          await books.chapterFailed(bookId, n, message, final);
          if (!final) return;
          const title = (await books.getChapter(bookId, n))?.title ?? `Chapter ${n}`;
          await books.fail(
            bookId,
            `Chapter ${n} ("${title}") failed after ${job.attemptsMade + 1} attempts: ${message}. ` +
              `Retry it with POST /books/${bookId}/chapters/${n}/retry`,
          );
        },
      },
      { signal, log },
    );
}

const comparable = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * The title is spoken on its own, then a pause. Most chapters open with their
 * heading; when it is the title, it is not read twice.
 */
export function splitTitle(title: string, text: string): { title: string; body: string } {
  const [first = '', ...rest] = text.split('\n\n');
  if (comparable(first) === comparable(title)) return { title: first, body: rest.join('\n\n') };
  return { title, body: text };
}

/** The chapter's slice of the book's chapters.txt. */
async function chapterText(
  storage: Pick<Storage, 'get'>,
  bookId: string,
  chapter: ChapterRow | undefined,
): Promise<string> {
  const { textStart: start, textEnd: end } = chapter ?? {};
  if (start == null || end == null) throw new UnrecoverableError('the chapter has no stored text');
  if (end <= start) return '';
  const chunks: Buffer[] = [];
  for await (const c of await storage.get(objectKeys.chapterTexts(bookId), { start, end: end - 1 }))
    chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams each segment's PCM into one ffmpeg encoder, so a chapter is never held whole in memory. */
async function synthesizeToFile(
  tts: TtsEngine,
  options: SessionOptions,
  segments: string[],
  format: AudioFormat,
  file: string,
  onSegment: (done: number) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const session = tts.open(options);
  let encoder: FfmpegProcess | undefined;
  // A cancelled chapter stops its speech engine and encoder at once.
  const stop = () => {
    session.close();
    encoder?.kill();
  };
  signal?.addEventListener('abort', stop, { once: true });
  let pcmFormat: { sampleRate: number; channels: number } | undefined;
  const write = async (data: Buffer) => {
    const { stdin, done } = encoder as FfmpegProcess;
    // An encoder killed meanwhile (a cancel) never drains: its end settles the wait instead,
    // so the job ends and its scratch folder is removed.
    if (!stdin.write(data)) await Promise.race([once(stdin, 'drain'), done]);
  };
  // The next segment is asked for before this one is written, so the engine speaks it
  // while ffmpeg encodes this one; at most two segments are in memory.
  let next = segments[0] === undefined ? undefined : session.synthesize(segments[0]);
  try {
    for (let i = 0; i < segments.length; i++) {
      const pcm = await (next as Promise<Pcm>);
      const following = segments[i + 1];
      next = following === undefined ? undefined : session.synthesize(following);
      next?.catch(() => {}); // surfaces when awaited
      if (!pcmFormat) {
        pcmFormat = { sampleRate: pcm.sampleRate, channels: pcm.channels };
        encoder = spawnFfmpeg(encodeChapterJob(pcmFormat, format, file));
      } else if (pcm.sampleRate !== pcmFormat.sampleRate || pcm.channels !== pcmFormat.channels) {
        throw new Error('the speech engine changed its audio format between segments');
      }
      await write(normalizePcm(pcm.data));
      if (i === 0) await write(silence(pcmFormat, PAUSE_AFTER_TITLE));
      await onSegment(i + 1);
    }
    if (!encoder || !pcmFormat) throw new Error('the chapter has no text to synthesize');
    await write(silence(pcmFormat, PAUSE_AFTER_CHAPTER));
    encoder.stdin.end();
    await encoder.done;
  } catch (err) {
    encoder?.kill();
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
    session.close();
  }
}
