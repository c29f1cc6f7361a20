import { once } from 'node:events';
import type { AudioFormat } from '../audio/audio-format.js';
import { type FfmpegProcess, spawnFfmpeg } from '../audio/ffmpeg.js';
import { encodeChapterJob, type PcmFormat } from '../audio/ffmpeg-args.js';
import { normalizePcm, silence } from '../audio/loudness.js';
import { resampled } from '../audio/resample.js';
import { SCENE_BREAK } from '../text/segments.js';
import type { TtsSession } from '../tts/tts-engine.js';
import type { Pcm } from '../tts/wav.js';

/**
 * Pauses, in seconds: room tone before the chapter's title (stores ask 0.5–1 s), after the
 * title, and at its end (1–5 s asked; so one chapter does not run into the next).
 */
export const ROOM_TONE_BEFORE = 0.75;
export const PAUSE_AFTER_TITLE = 0.8;
export const PAUSE_AFTER_CHAPTER = 1.5;
/** A scene break (`<hr>`, "* * *") is a pause of its own, longer than a paragraph's. */
export const PAUSE_AT_SCENE_BREAK = 1.2;

export interface ChapterEncoding {
  /** The engine's conversation for this chapter; closed here when the encoding ends. */
  session: TtsSession;
  /** A second voice, and which segments it says (`says[i]`): the dialogue (text/dialogue.ts). */
  dialogue?: { session: TtsSession; says: boolean[] };
  /** Title first, then the body's segments (chapter-text.ts). */
  segments: string[];
  format: AudioFormat;
  file: string;
  /** Called once per segment encoded, with how many are done. */
  onSegment(done: number): Promise<void>;
  /** Stops the engine and the encoder at once (a cancel, a worker stopping). */
  signal?: AbortSignal;
  /** Segments asked for ahead of the one being encoded (TtsEngine.lookahead; 1 by default). */
  lookahead?: number;
  /** Hears each segment's audio as it is written (where its sentences start: pauses.ts). */
  listen?(segment: number, pcm: Buffer, format: PcmFormat): void;
}

/**
 * Speaks each segment and streams its PCM, brought to one loudness, into one
 * ffmpeg encoder, so a chapter is never held whole in memory: room tone, the
 * title, a pause, the body, a closing pause. Answers where each segment starts in the
 * chapter's audio (seconds, counted in the samples written: exact).
 */
export async function encodeChapter(c: ChapterEncoding): Promise<number[]> {
  let encoder: FfmpegProcess | undefined;
  const close = () => {
    for (const s of [c.session, c.dialogue?.session]) s?.close();
  };
  const stop = () => {
    close();
    encoder?.kill();
  };
  c.signal?.addEventListener('abort', stop, { once: true });
  let pcmFormat: PcmFormat | undefined;
  let frames = 0;
  const starts: number[] = [];
  const write = async (data: Buffer) => {
    const { stdin, done } = encoder as FfmpegProcess;
    frames += data.length / (2 * (pcmFormat as PcmFormat).channels);
    // An encoder killed meanwhile (a cancel) never drains: its end settles the wait instead,
    // so the job ends and its scratch folder is removed.
    if (!stdin.write(data)) await Promise.race([once(stdin, 'drain'), done]);
  };
  // The next segments are asked for before this one is written, so the engine speaks them
  // while ffmpeg encodes this one; at most `lookahead` + 1 segments are in memory.
  function ask(i: number): Promise<Pcm | null> | undefined {
    const text = c.segments[i];
    // A scene break is said with silence, not by the engine.
    if (text === SCENE_BREAK) return Promise.resolve(null);
    const session = c.dialogue?.says[i] ? c.dialogue.session : c.session;
    const next = text === undefined ? undefined : session.synthesize(text);
    next?.catch(() => {}); // surfaces when awaited
    return next;
  }
  const lookahead = Math.max(1, c.lookahead ?? 1);
  const asked = Array.from({ length: lookahead }, (_, k) => ask(k));
  try {
    for (let i = 0; i < c.segments.length; i++) {
      let pcm = await (asked.shift() as Promise<Pcm | null>);
      asked.push(ask(i + lookahead));
      starts.push(pcmFormat ? frames / pcmFormat.sampleRate : 0);
      if (pcm === null) {
        if (pcmFormat) await write(silence(pcmFormat, PAUSE_AT_SCENE_BREAK));
        await c.onSegment(i + 1);
        continue;
      }
      if (!pcmFormat) {
        pcmFormat = { sampleRate: pcm.sampleRate, channels: pcm.channels };
        encoder = spawnFfmpeg(encodeChapterJob(pcmFormat, c.format, c.file));
        await write(silence(pcmFormat, ROOM_TONE_BEFORE));
        starts[starts.length - 1] = frames / pcmFormat.sampleRate;
      } else pcm = await inFormat(pcm, pcmFormat);
      const data = normalizePcm(pcm.data, pcmFormat.sampleRate);
      c.listen?.(i, data, pcmFormat);
      await write(data);
      if (i === 0) await write(silence(pcmFormat, PAUSE_AFTER_TITLE));
      await c.onSegment(i + 1);
    }
    if (!encoder || !pcmFormat) throw new Error('the chapter has no text to synthesize');
    await write(silence(pcmFormat, PAUSE_AFTER_CHAPTER));
    encoder.stdin.end();
    await encoder.done;
    return starts;
  } catch (err) {
    encoder?.kill();
    throw err;
  } finally {
    c.signal?.removeEventListener('abort', stop);
    close();
  }
}

/** A segment's audio in the chapter's format: a dialogue voice's engine may speak at another rate. */
async function inFormat(pcm: Pcm, format: PcmFormat): Promise<Pcm> {
  if (pcm.channels !== format.channels)
    throw new Error('the speech engine changed its audio format between segments');
  return resampled(pcm, format.sampleRate);
}
