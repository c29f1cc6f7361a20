import path from 'node:path';
import type { Job } from 'bullmq';
import { TtsPayload, type TtsResult } from '../../flows/index.js';
import { type FfmpegProcess, probeDuration, spawnFfmpeg } from '../audio/ffmpeg.js';
import { encodeChapterJob } from '../audio/ffmpeg-args.js';
import { objectKeys } from '../storage/object-keys.js';
import { splitSegments } from '../tts/segments.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import type { Pcm } from '../tts/wav.js';
import { runJob, withTempDir } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

/** Synthesizes one chapter, segment by segment, and encodes it to AAC in the same job. */
export function createGenerateAudioProcessor({
  books,
  storage,
  tts,
  ttsMaxChars,
}: Pick<WorkerDeps, 'books' | 'storage' | 'tts' | 'ttsMaxChars'>) {
  return (job: Job) =>
    runJob(
      job,
      TtsPayload,
      async ({ bookId, n }): Promise<TtsResult> => {
        await books.chapterStarted(bookId, n);
        const book = await books.getBook(bookId);
        const text = await readText(await storage.get(objectKeys.chapterText(bookId, n)));
        const segments = splitSegments(text, ttsMaxChars);
        return withTempDir(async (dir) => {
          const file = path.join(dir, `${n}.m4a`);
          await synthesizeToFile(tts, book?.language ?? 'en', segments, file, (done) =>
            job.updateProgress(Math.round((done / segments.length) * 100)),
          );
          const durationSec = await probeDuration(file);
          const audioKey = objectKeys.chapterAudio(bookId, n);
          await storage.putFile(audioKey, file);
          await books.chapterDone(bookId, n, audioKey, durationSec);
          return { kind: 'chapter-audio', n, audioKey, durationSec };
        });
      },
      async ({ bookId, n }, err, final) => {
        await books.chapterFailed(bookId, n, err.message, final);
        if (!final) return;
        const title =
          (await books.getChapters(bookId)).find((c) => c.n === n)?.title ?? `Chapter ${n}`;
        await books.fail(
          bookId,
          `Chapter ${n} ("${title}") failed after ${job.attemptsMade + 1} attempts: ${err.message}. ` +
            `Retry it with POST /books/${bookId}/chapters/${n}/retry`,
        );
      },
    );
}

async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams each segment's PCM into one ffmpeg encoder, so only one segment is in memory. */
async function synthesizeToFile(
  tts: TtsEngine,
  language: string,
  segments: string[],
  file: string,
  onSegment: (done: number) => Promise<void>,
): Promise<void> {
  const session = tts.open(language);
  let encoder: FfmpegProcess | undefined;
  let format: Omit<Pcm, 'data'> | undefined;
  try {
    for (const [i, segment] of segments.entries()) {
      const pcm = await session.synthesize(segment);
      if (!format || !encoder) {
        format = { sampleRate: pcm.sampleRate, channels: pcm.channels };
        encoder = spawnFfmpeg(encodeChapterJob(format, file));
      } else if (pcm.sampleRate !== format.sampleRate || pcm.channels !== format.channels) {
        throw new Error('the speech engine changed its audio format between segments');
      }
      const stdin = encoder.stdin;
      if (!stdin.write(pcm.data)) await new Promise((r) => stdin.once('drain', r));
      await onSegment(i + 1);
    }
    if (!encoder) throw new Error('the chapter has no text to synthesize');
    encoder.stdin.end();
    await encoder.done;
  } catch (err) {
    encoder?.kill();
    throw err;
  } finally {
    session.close();
  }
}
