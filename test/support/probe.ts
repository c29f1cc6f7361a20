import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ffmpegBinaries } from '../../src/audio/ffmpeg.js';

export interface Probe {
  durationSec: number;
  container: string;
  chapters: { title: string; start: number; end: number }[];
  tags: Record<string, string>;
  codecs: string[];
  /** Codec of the embedded cover art (an attached picture), if any. */
  cover: string | null;
  /** The cover's comment tag: ID3's picture type ("Cover (front)") in an mp3. */
  coverComment: string | null;
}

/** What ffprobe sees in an audio file: the listener's player sees the same. */
export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await promisify(execFile)(ffmpegBinaries().ffprobe, [
    '-v',
    'error',
    '-show_format',
    '-show_chapters',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  const data = JSON.parse(stdout) as {
    format: { duration: string; format_name: string; tags?: Record<string, string> };
    chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
    streams: {
      codec_name?: string;
      codec_type: string;
      disposition?: { attached_pic?: number };
      tags?: Record<string, string>;
    }[];
  };
  return {
    durationSec: Number(data.format.duration),
    container: data.format.format_name,
    chapters: data.chapters.map((c) => ({
      title: c.tags?.title ?? '',
      start: Number(c.start_time),
      end: Number(c.end_time),
    })),
    tags: data.format.tags ?? {},
    codecs: data.streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name ?? ''),
    cover: data.streams.find((s) => s.disposition?.attached_pic === 1)?.codec_name ?? null,
    coverComment:
      data.streams.find((s) => s.disposition?.attached_pic === 1)?.tags?.comment ?? null,
  };
}

/** Decodes the whole file, as a player would from start to end; resolves with ffmpeg's complaints (none is good). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await promisify(execFile)(ffmpegBinaries().ffmpeg, [
    '-v',
    'error',
    '-i',
    file,
    '-f',
    'null',
    '-',
  ]);
  return stderr.trim();
}

/** A chapter's audio against what audiobook stores ask (ffmpeg's astats, ebur128, silencedetect). */
export interface Mastering {
  /** RMS of the whole file, pauses included (dB). */
  rmsDb: number;
  truePeakDb: number;
  /** Stretches of at least 0.2 s under −60 dB between the first sound and the last: pauses. */
  quietPauses: number;
  /** Quiet (under −60 dB) before the first sound, and after the last. */
  leadSec: number;
  tailSec: number;
  durationSec: number;
}

export async function mastering(file: string): Promise<Mastering> {
  const { stderr } = await promisify(execFile)(
    ffmpegBinaries().ffmpeg,
    [
      '-hide_banner',
      '-i',
      file,
      '-af',
      'astats,ebur128=peak=true,silencedetect=noise=-60dB:d=0.2',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 1 << 26 },
  );
  const overall = stderr.slice(stderr.lastIndexOf('Overall'));
  const number = (re: RegExp, text = stderr) => Number(re.exec(text)?.[1] ?? Number.NaN);
  const durationSec = (await ffprobe(file)).durationSec;
  const starts = [...stderr.matchAll(/silence_start: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
  const last = starts.at(-1) ?? durationSec;
  return {
    rmsDb: number(/RMS level dB: (-?[\d.]+)/, overall),
    truePeakDb: number(/True peak:\s+Peak:\s+(-?[\d.]+) dBFS/),
    quietPauses: Math.max(0, ends.length - 1),
    leadSec: (starts[0] ?? 1) <= 0.01 ? (ends[0] ?? 0) : 0,
    tailSec:
      ends.length < starts.length || (ends.at(-1) ?? 0) >= durationSec - 0.05
        ? durationSec - last
        : 0,
    durationSec,
  };
}
