import type { AudioFormat } from './audio-format.js';

/**
 * ffmpeg command lines, built by pure functions so they can be table-tested.
 * Chapter jobs encode; the merge only ever stream-copies.
 */

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

/**
 * Speech-grade chapter encodings. AAC's `-aac_coder fast` is several times
 * faster than the default and fine for voice; MP3 is constant bit rate so that
 * chapters concatenate cleanly.
 */
export const CODEC_OPTIONS: Record<AudioFormat, string[]> = {
  m4b: ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '48k', '-movflags', '+faststart', '-f', 'mp4'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
};

/** One ffmpeg invocation: inputs with their options, then the output and its options. */
export interface FfmpegJob {
  inputs: { path: string; options: string[] }[];
  outputOptions: string[];
  output: string;
}

const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

/**
 * The full command line of a job, as the stdin encoder runs it (ffmpeg.ts);
 * fluent-ffmpeg builds its own from the same inputs, options and output.
 */
export function toArgv(job: FfmpegJob): string[] {
  return [
    ...QUIET,
    ...job.inputs.flatMap((i) => [...i.options, '-i', i.path]),
    ...job.outputOptions,
    '-y',
    job.output,
  ];
}

/** Raw s16le PCM on stdin → one chapter's audio file, in the book's format. */
export function encodeChapterJob(pcm: PcmFormat, format: AudioFormat, output: string): FfmpegJob {
  const raw = ['-f', 's16le', '-ar', String(pcm.sampleRate), '-ac', String(pcm.channels)];
  return {
    inputs: [{ path: 'pipe:0', options: raw }],
    outputOptions: CODEC_OPTIONS[format],
    output,
  };
}

/**
 * Concatenates chapter files by stream copy (never re-encoding), taking tags and
 * chapters from an ffmetadata file, and the cover image (if any) as cover art:
 * an .m4b (MP4 chapters) or an .mp3 (ID3v2 CHAP frames and an APIC picture).
 */
export function mergeJob(
  files: { list: string; metadata: string; cover?: string },
  format: AudioFormat,
  output: string,
): FfmpegJob {
  const cover = files.cover
    ? {
        input: [{ path: files.cover, options: [] }],
        map: [
          '-map',
          '2:v',
          '-disposition:v:0',
          'attached_pic',
          // ID3's picture type comes from this comment: players look for the front cover.
          ...(format === 'mp3' ? ['-metadata:s:v:0', 'comment=Cover (front)'] : []),
        ],
      }
    : { input: [], map: [] };
  const container =
    format === 'mp3'
      ? ['-id3v2_version', '3', '-f', 'mp3']
      : ['-movflags', '+faststart', '-f', 'ipod'];
  return {
    inputs: [
      { path: files.list, options: ['-f', 'concat', '-safe', '0'] },
      { path: files.metadata, options: [] },
      ...cover.input,
    ],
    outputOptions: [
      '-map',
      '0:a',
      ...cover.map,
      '-map_metadata',
      '1',
      '-map_chapters',
      '1',
      '-c',
      'copy',
      ...container,
    ],
    output,
  };
}

/** The concat demuxer's list file; paths are quoted the way it expects. */
export function concatList(files: string[]): string {
  return files.map((f) => `file '${f.replace(/'/g, "'\\''")}'\n`).join('');
}

export interface ChapterMark {
  title: string;
  durationSec: number;
}

/** Escapes a value for ffmetadata: `=`, `;`, `#`, `\` and newlines are special. */
export function escapeMetadata(value: string): string {
  return value.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

/** An ffmetadata document: book tags plus one chapter per entry, back to back. */
export function ffmetadata(
  tags: { title: string; artist: string | null; narrator?: string; track?: string },
  chapters: ChapterMark[],
): string {
  const lines = [
    ';FFMETADATA1',
    `title=${escapeMetadata(tags.title)}`,
    `album=${escapeMetadata(tags.title)}`,
  ];
  if (tags.artist)
    lines.push(
      `artist=${escapeMetadata(tags.artist)}`,
      `album_artist=${escapeMetadata(tags.artist)}`,
    );
  // Audiobook players show the narrator from the composer tag (MP4 ©wrt, ID3 TCOM).
  if (tags.narrator) lines.push(`composer=${escapeMetadata(tags.narrator)}`);
  lines.push('genre=Audiobook');
  // A part of a book: "1/3" (MP4 trkn, ID3 TRCK), so players keep the parts in order.
  if (tags.track) lines.push(`track=${tags.track}`);
  let startMs = 0;
  for (const ch of chapters) {
    const endMs = startMs + Math.round(ch.durationSec * 1000);
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${startMs}`, `END=${endMs}`);
    lines.push(`title=${escapeMetadata(ch.title)}`);
    startMs = endMs;
  }
  return `${lines.join('\n')}\n`;
}

/** Longest side of the cover art we store: plenty for any player, small in the file. */
export const COVER_MAX_SIDE = 1400;

/**
 * Decodes an EPUB's cover image and writes it as a JPEG no larger than
 * COVER_MAX_SIDE: an image ffmpeg cannot decode fails here, at parse time,
 * never at the merge; and the merge only ever gets a picture it can copy.
 */
export function coverJob(input: string, output: string): FfmpegJob {
  const side = `'min(${COVER_MAX_SIDE},iw)'`;
  return {
    inputs: [{ path: input, options: [] }],
    outputOptions: [
      '-frames:v',
      '1',
      '-vf',
      `scale=${side}:-2:force_original_aspect_ratio=decrease,format=yuvj420p`,
      '-c:v',
      'mjpeg',
      '-q:v',
      '3',
      '-f',
      'image2',
    ],
    output,
  };
}
