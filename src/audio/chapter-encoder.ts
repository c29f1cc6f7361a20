import { once } from 'node:events';
import type { TtsSession } from '../tts/tts-engine.js';
import type { Pcm } from '../tts/wav.js';
import type { AudioFormat } from './audio-format.js';
import { type FfmpegProcess, spawnFfmpeg } from './ffmpeg.js';
import { encodeChapterJob, type PcmFormat } from './ffmpeg-args.js';
import { normalizePcm, silence } from './loudness.js';

/** Pauses, in seconds: after the chapter's title, and at its end (so one chapter does not run into the next). */
export const PAUSE_AFTER_TITLE = 0.8;
export const PAUSE_AFTER_CHAPTER = 1.5;

export interface ChapterEncoding {
  /** The engine's conversation for this chapter; closed here when the encoding ends. */
  session: TtsSession;
  /** Title first, then the body's segments (chapter-text.ts). */
  segments: string[];
  format: AudioFormat;
  file: string;
  /** Called once per segment encoded, with how many are done. */
  onSegment(done: number): Promise<void>;
  /** Stops the engine and the encoder at once (a cancel, a worker stopping). */
  signal?: AbortSignal;
}

/**
 * Speaks each segment and streams its PCM, brought to one loudness, into one
 * ffmpeg encoder, so a chapter is never held whole in memory: the title, a
 * pause, the body, a closing pause.
 */
export async function encodeChapter(c: ChapterEncoding): Promise<void> {
  let encoder: FfmpegProcess | undefined;
  const stop = () => {
    c.session.close();
    encoder?.kill();
  };
  c.signal?.addEventListener('abort', stop, { once: true });
  let pcmFormat: PcmFormat | undefined;
  const write = async (data: Buffer) => {
    const { stdin, done } = encoder as FfmpegProcess;
    // An encoder killed meanwhile (a cancel) never drains: its end settles the wait instead,
    // so the job ends and its scratch folder is removed.
    if (!stdin.write(data)) await Promise.race([once(stdin, 'drain'), done]);
  };
  // The next segment is asked for before this one is written, so the engine speaks it
  // while ffmpeg encodes this one; at most two segments are in memory.
  const ask = (i: number) => {
    const text = c.segments[i];
    const next = text === undefined ? undefined : c.session.synthesize(text);
    next?.catch(() => {}); // surfaces when awaited
    return next;
  };
  let next = ask(0);
  try {
    for (let i = 0; i < c.segments.length; i++) {
      const pcm = await (next as Promise<Pcm>);
      next = ask(i + 1);
      if (!pcmFormat) {
        pcmFormat = { sampleRate: pcm.sampleRate, channels: pcm.channels };
        encoder = spawnFfmpeg(encodeChapterJob(pcmFormat, c.format, c.file));
      } else if (pcm.sampleRate !== pcmFormat.sampleRate || pcm.channels !== pcmFormat.channels) {
        throw new Error('the speech engine changed its audio format between segments');
      }
      await write(normalizePcm(pcm.data));
      if (i === 0) await write(silence(pcmFormat, PAUSE_AFTER_TITLE));
      await c.onSegment(i + 1);
    }
    if (!encoder || !pcmFormat) throw new Error('the chapter has no text to synthesize');
    await write(silence(pcmFormat, PAUSE_AFTER_CHAPTER));
    encoder.stdin.end();
    await encoder.done;
  } catch (err) {
    encoder?.kill();
    throw err;
  } finally {
    c.signal?.removeEventListener('abort', stop);
    c.session.close();
  }
}
