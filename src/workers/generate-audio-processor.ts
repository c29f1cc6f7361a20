import { createHash } from 'node:crypto';
import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { TtsPayload, type TtsResult } from '../../flows/index.js';
import { probeChapterAudio } from '../audio/ffmpeg.js';
import type { PcmFormat } from '../audio/ffmpeg-args.js';
import { findPauses, sentenceStarts } from '../audio/pauses.js';
import type { ChapterAudio } from '../books/chapter-queries.js';
import { createTtlCache } from '../books/ttl-cache.js';
import type { BookRow, ChapterRow } from '../db/schema.js';
import { metrics } from '../metrics/metrics.js';
import { objectKeys } from '../storage/object-keys.js';
import { withTempDir } from '../temp-dir.js';
import { chapterSegments, cuesOf, readChapterText } from '../text/chapter-text.js';
import { sentencesOf } from '../text/sentences.js';
import { PermanentTtsError } from '../tts/tts-engine.js';
import { readersFor } from '../tts/voices.js';
import { encodeChapter } from './chapter-encoder.js';
import { CancelledError, runJob, StaleRunError } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<
  'storage' | 'tts' | 'log' | 'breaker',
  | 'getBook'
  | 'getChapter'
  | 'chapterStarted'
  | 'chapterDone'
  | 'chapterFailed'
  | 'chapterWaiting'
  | 'failIfSettled'
>;

/** Synthesizes one chapter, segment by segment, and encodes it in the book's format in the same job. */
export function createGenerateAudioProcessor(deps: Deps) {
  const { books, storage, tts, log } = deps;
  // A thousand chapter jobs of one book read one row: share it for a second. (A cancel
  // is not missed meanwhile: the cancel watcher aborts running jobs on its own.)
  const bookRows = createTtlCache<BookRow | undefined>(1000);
  // Shared recordings (dry runs) this process has seen stored.
  const stored = new Set<string>();

  /** The book, and the chapter marked started by `run`; `done` when an earlier run made it. */
  async function start(bookId: string, n: number, run: string | undefined) {
    // One round trip: the book, and the chapter marked started unless it is already DONE.
    const [book, started] = await Promise.all([
      bookRows.get(bookId, () => books.getBook(bookId)),
      books.chapterStarted(bookId, n, { run }),
    ]);
    if (!book) throw new Error(`book ${bookId} no longer exists`);
    if (book.status === 'CANCELLED') throw new CancelledError();
    const chapter = started ?? (await books.getChapter(bookId, n));
    // A re-submitted flow (book-reconciler.ts) finds its finished chapters done: none is spoken twice.
    const done = chapter?.status === 'DONE' && chapter.audioKey && chapter.durationSec !== null;
    if (done && (await storage.size(chapter.audioKey as string)) !== undefined) {
      const { audioKey, durationSec } = chapter as { audioKey: string; durationSec: number };
      return { book, chapter, done: { audioKey, durationSec } };
    }
    if (!started) await books.chapterStarted(bookId, n, { evenIfDone: true, run });
    return { book, chapter, done: undefined };
  }

  /** Every chapter of an engine with one shared recording points to one stored copy of it. */
  async function useSharedRecording(book: BookRow) {
    const recording = await (tts.sharedRecording as NonNullable<typeof tts.sharedRecording>)(
      book.format,
    );
    const audioKey = objectKeys.dryRunSilence(book.id, book.format);
    if (!stored.has(audioKey) && (await storage.size(audioKey)) === undefined)
      await storage.put(audioKey, recording.bytes);
    if (stored.size > 10_000) stored.clear();
    stored.add(audioKey);
    return { audioKey, durationSec: recording.durationSec, cues: null };
  }

  async function speak(
    job: Job,
    book: BookRow,
    chapter: ChapterRow | undefined,
    { n, run }: { n: number; run: string | undefined },
    signal?: AbortSignal,
  ) {
    const text = await readChapterText(
      (range) => storage.get(objectKeys.chapterTexts(book.id), range),
      { start: chapter?.textStart ?? null, end: chapter?.textEnd ?? null },
    );
    if (text === null) throw new UnrecoverableError('the chapter has no stored text');
    const title = chapter?.title ?? `Chapter ${n}`;
    // The engine that reads the book's voice (one of a set of engines) decides how it is split.
    const readers = readersFor(book, tts);
    const { engine } = readers.narration;
    const speech = chapterSegments(
      title,
      text,
      readers.maxChars,
      book,
      engine.unit,
      readers.quotes,
    );
    const { segments } = speech;
    const sessions = readers.open({ language: book.language ?? 'en', speed: book.speed });
    const dialogue = sessions.dialogue && { session: sessions.dialogue, says: speech.dialogue };
    const audioKey = objectKeys.chapterAudio(book.id, n, book.format, run);
    return withTempDir(async (dir) => {
      const file = path.join(dir, `${n}.${book.format}`);
      const onSegment = (done: number) =>
        job.updateProgress(Math.round((done / segments.length) * 100));
      const { format } = book;
      const { lookahead } = engine;
      // Where the sentences of a request that holds several start, from the pauses heard in it.
      const within: number[][] = [];
      const listen = (i: number, pcm: Buffer, pcmFormat: PcmFormat) => {
        const sentences = sentencesOf(speech.shown[i] ?? '');
        if (sentences.length < 2) return;
        const seconds = pcm.length / (2 * pcmFormat.channels * pcmFormat.sampleRate);
        within[i] = sentenceStarts(sentences, seconds, findPauses(pcm, pcmFormat));
      };
      const starts = await encodeChapter({
        session: sessions.session,
        dialogue,
        segments,
        format,
        file,
        onSegment,
        signal,
        lookahead,
        listen,
      });
      await storage.putFile(audioKey, file);
      const cues = cuesOf(speech, starts, within);
      return { audioKey, ...(await probeChapterAudio(file)), cues };
    });
  }

  /**
   * The chapter DONE with this run's audio, if the chapter is still this run's: a run that
   * was stopped (its lock lost: its job is being handed out again) or whose chapter another
   * run has started since leaves no trace (its file goes too). A stopped run goes on in the
   * background until its work notices; this is where it must not write.
   */
  async function finish(
    { bookId, n }: { bookId: string; n: number },
    audio: ChapterAudio,
    run: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    if (!signal?.aborted && (await books.chapterDone(bookId, n, audio, run))) return;
    // A shared recording (the dry run) is every chapter's: only a run's own file goes.
    if (!tts.sharedRecording) await storage.deletePrefix(audio.audioKey);
    throw new StaleRunError(`another run has taken chapter ${n} over`);
  }

  async function failed(
    run: string | undefined,
    bookId: string,
    n: number,
    message: string,
    final: boolean,
  ) {
    await books.chapterFailed(bookId, n, message, final, run);
    if (final) await books.failIfSettled(bookId);
  }

  /** The engine is down for everyone (see engine-breaker.ts): the chapter waits, unfailed. */
  async function heldBack({ bookId, n }: { bookId: string; n: number }, err: Error) {
    if (!(await deps.breaker.heldBack(err))) return false;
    await books.chapterWaiting(bookId, n, `waiting for the speech engine: ${err.message}`);
    return true;
  }

  return (job: Job, token?: string, signal?: AbortSignal) => {
    const run = token && runOf(token);
    return runJob(
      job,
      {
        payload: TtsPayload,
        // The server will refuse the same request again: fail the chapter now, with its message.
        isPermanent: (err) => err instanceof PermanentTtsError,
        async run({ bookId, n }): Promise<TtsResult> {
          const { book, chapter, done } = await start(bookId, n, run);
          if (done) return { kind: 'chapter-audio', n, ...done };
          const started = performance.now();
          const audio = tts.sharedRecording
            ? await useSharedRecording(book)
            : await speak(job, book, chapter, { n, run }, signal);
          metrics.synthesisSeconds.observe((performance.now() - started) / 1000);
          metrics.audioSeconds.observe(audio.durationSec);
          await finish({ bookId, n }, audio, run, signal);
          // The last chapter to end decides a book with failed chapters (see failIfSettled).
          await books.failIfSettled(bookId);
          return {
            kind: 'chapter-audio',
            n,
            audioKey: audio.audioKey,
            durationSec: audio.durationSec,
          };
        },
        onFailure: ({ bookId, n }, message, final) => failed(run, bookId, n, message, final),
        heldBack,
      },
      { signal, log },
    );
  };
}

/** A run's short name: its lock token, hashed (tokens are long, and hold a ':'). */
const runOf = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 12);
