import path from 'node:path';
import { DelayedError, type Job, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import {
  MergePayload,
  type MergeResult,
  matches,
  type ParseResult,
  ParseResult as ParseResultSchema,
  type TtsResult,
  TtsResult as TtsResultSchema,
} from '../../flows/index.js';
import { probeDuration } from '../audio/ffmpeg.js';
import { chapterSpan } from '../books/book-subtitles.js';
import type { ChapterRow } from '../db/schema.js';
import { fitted } from '../errors.js';
import { metrics } from '../metrics/metrics.js';
import { objectKeys } from '../storage/object-keys.js';
import { withTempDir } from '../temp-dir.js';
import { narratorOf, voiceFor } from '../tts/voices.js';
import { joinChapters, writeParts } from './audiobook-join.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<
  'storage' | 'jobs' | 'tts' | 'log',
  'getBook' | 'getChapters' | 'advance' | 'fail'
>;

/** How often a book waiting in REVIEW is looked at, should its start not wake the merge. */
const REVIEW_RECHECK_MS = 60_000;

/**
 * The orchestrator. It runs once parse-epub (its first child) is done (for a book in
 * REVIEW, once it is started), adds a generate-audio child per chapter to read, waits for
 * them, and runs again when they are all done: then it checks every chapter has a result
 * and joins them. The chapters read are those not SKIPPED (by the parse or a reviewer).
 */
export function createMergeProcessor(deps: Deps) {
  return (job: Job, token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: MergePayload,
        async run({ bookId }): Promise<MergeResult> {
          if (!token) throw new UnrecoverableError('merge-audiobook needs a lock token');
          if ((await deps.books.getBook(bookId))?.status === 'REVIEW')
            return awaitStart(deps, job, token);
          const { parsed, results } = await childResults(job);
          const read = await chaptersToRead(deps, bookId);
          const missing = read.filter((c) => !results.has(c.n)).map((c) => c.n);
          if (missing.length > 0) {
            await addChapterJobs(deps, job, bookId, missing);
            // Ids are deterministic, so chapters added by an earlier run are not added twice.
            if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
            return mergeWhenComplete(deps, job, bookId, signal);
          }
          return merge(deps, bookId, { parsed, read, results }, signal);
        },
        async onFailure({ bookId }, message, final) {
          if (final)
            await deps.books.fail(bookId, fitted('The chapters could not be joined: ', message));
        },
      },
      { signal, log: deps.log },
    );
}

/**
 * A book in REVIEW: the merge waits, delayed, until POST /books/:id/start wakes it (or the
 * next look). A start between the status read and the move found nothing delayed to wake,
 * so the merge looks once more after moving.
 */
async function awaitStart(deps: Deps, job: Job, token: string): Promise<never> {
  await job.moveToDelayed(Date.now() + REVIEW_RECHECK_MS, token);
  if ((await deps.books.getBook(job.data.bookId))?.status !== 'REVIEW')
    await job.promote().catch(() => {});
  throw new DelayedError();
}

const chaptersToRead = async (deps: Deps, bookId: string) =>
  (await deps.books.getChapters(bookId)).filter((c) => c.status !== 'SKIPPED');

async function childResults(
  job: Job,
): Promise<{ parsed: ParseResult; results: Map<number, TtsResult> }> {
  const values = Object.values(await job.getChildrenValues());
  const parsed = values.find((v): v is ParseResult => matches(ParseResultSchema, v));
  if (!parsed) throw new UnrecoverableError('parse-epub finished without a result');
  const results = new Map<number, TtsResult>();
  for (const v of values) if (matches(TtsResultSchema, v)) results.set(v.n, v);
  return { parsed, results };
}

async function addChapterJobs(
  deps: Deps,
  job: Job,
  bookId: string,
  chapterNumbers: number[],
): Promise<void> {
  await deps.books.advance(bookId, 'GENERATING');
  const parent = { id: job.id as string, queue: job.queueQualifiedName };
  await deps.jobs.addChapters(bookId, chapterNumbers, parent);
  await job.updateData({ bookId, step: 'waiting' });
}

/** All children finished while we were adding them: the results must now be complete. */
async function mergeWhenComplete(
  deps: Deps,
  job: Job,
  bookId: string,
  signal: AbortSignal | undefined,
): Promise<MergeResult> {
  const { parsed, results } = await childResults(job);
  const read = await chaptersToRead(deps, bookId);
  const missing = read.filter((c) => !results.has(c.n)).map((c) => c.n);
  if (missing.length > 0) throw new Error(`no audio for chapters ${missing.join(', ')}`);
  return merge(deps, bookId, { parsed, read, results }, signal);
}

/** What the merge joins: the parse's result, the chapters read (in order), their audio. */
interface MergeInputs {
  parsed: ParseResult;
  read: ChapterRow[];
  results: Map<number, TtsResult>;
}

async function merge(
  { books, storage, tts }: Deps,
  bookId: string,
  { parsed, read, results }: MergeInputs,
  signal: AbortSignal | undefined,
): Promise<MergeResult> {
  await books.advance(bookId, 'MERGING');
  const book = await books.getBook(bookId);
  if (!book) throw new UnrecoverableError(`book ${bookId} no longer exists`);
  return withTempDir(async (dir) => {
    const files: string[] = [];
    for (const { n } of read) {
      const key = (results.get(n) as TtsResult).audioKey;
      const file = path.join(dir, `${n}${path.extname(key)}`);
      await storage.getToFile(key, file);
      files.push(file);
    }
    // Each chapter takes its whole span in the join (its priming and padding included), so
    // the markers stay on their chapters however many there are (audio/ffmpeg.ts).
    const marks = read.map((c) => ({ title: c.title, durationSec: chapterSpan(c) }));
    const out = path.join(dir, `audiobook.${book.format}`);
    let cover: string | undefined;
    if (parsed.coverKey) {
      cover = path.join(dir, path.basename(parsed.coverKey));
      await storage.getToFile(parsed.coverKey, cover);
    }
    const tags = {
      title: parsed.title,
      artist: parsed.author,
      narrator: narratorOf(tts, voiceFor(book, tts)),
    };
    const spec = { dir, format: book.format, tags, cover, signal };
    const started = performance.now();
    await joinChapters(spec, files, marks, out);
    metrics.mergeSeconds.observe((performance.now() - started) / 1000);
    const audioKey = objectKeys.audiobook(bookId, book.format);
    await storage.putFile(audioKey, out);
    const durationSec = await probeDuration(out);
    const maxSec = (book.splitHours ?? Number.POSITIVE_INFINITY) * 3600;
    const parts =
      durationSec > maxSec
        ? await writeParts({ ...spec, bookId, maxSec }, storage, files, marks)
        : undefined;
    return { kind: 'audiobook', audioKey, durationSec, chapters: files.length, parts };
  });
}
