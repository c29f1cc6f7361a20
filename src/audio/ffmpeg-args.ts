/**
 * ffmpeg command lines, built by pure functions so they can be table-tested.
 * Chapter jobs encode; the merge only ever stream-copies.
 */

export interface PcmFormat {
  sampleRate: number;
  channels: number;
}

/** Speech-grade AAC; `-aac_coder fast` is several times faster than the default and fine for voice. */
export const AAC_OPTIONS = ['-c:a', 'aac', '-aac_coder', 'fast', '-b:a', '48k'];

/** One ffmpeg invocation: inputs with their options, then the output and its options. */
export interface FfmpegJob {
  inputs: { path: string; options: string[] }[];
  outputOptions: string[];
  output: string;
}

const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

/** The full command line of a job (what fluent-ffmpeg runs, too). */
export function toArgv(job: FfmpegJob): string[] {
  return [
    ...QUIET,
    ...job.inputs.flatMap((i) => [...i.options, '-i', i.path]),
    ...job.outputOptions,
    '-y',
    job.output,
  ];
}

/** Raw s16le PCM on stdin → AAC in an .m4a file. */
export function encodeChapterJob(format: PcmFormat, output: string): FfmpegJob {
  const pcm = ['-f', 's16le', '-ar', String(format.sampleRate), '-ac', String(format.channels)];
  return {
    inputs: [{ path: 'pipe:0', options: pcm }],
    outputOptions: [...AAC_OPTIONS, '-movflags', '+faststart', '-f', 'mp4'],
    output,
  };
}

/**
 * Concatenates chapter files by stream copy, taking tags and chapters from an
 * ffmetadata file, and the cover image (if any) as attached cover art.
 */
export function mergeJob(
  listFile: string,
  metadataFile: string,
  output: string,
  coverFile?: string,
): FfmpegJob {
  const cover = coverFile
    ? {
        input: [{ path: coverFile, options: [] }],
        map: ['-map', '2:v', '-disposition:v:0', 'attached_pic'],
      }
    : { input: [], map: [] };
  const metadata = ['-map_metadata', '1', '-map_chapters', '1'];
  return {
    inputs: [
      { path: listFile, options: ['-f', 'concat', '-safe', '0'] },
      { path: metadataFile, options: [] },
      ...cover.input,
    ],
    outputOptions: [
      '-map',
      '0:a',
      ...cover.map,
      ...metadata,
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      '-f',
      'ipod',
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
  tags: { title: string; artist: string | null },
  chapters: ChapterMark[],
): string {
  const lines = [
    ';FFMETADATA1',
    `title=${escapeMetadata(tags.title)}`,
    `album=${escapeMetadata(tags.title)}`,
  ];
  if (tags.artist) lines.push(`artist=${escapeMetadata(tags.artist)}`);
  lines.push('genre=Audiobook');
  let startMs = 0;
  for (const ch of chapters) {
    const endMs = startMs + Math.round(ch.durationSec * 1000);
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${startMs}`, `END=${endMs}`);
    lines.push(`title=${escapeMetadata(ch.title)}`);
    startMs = endMs;
  }
  return `${lines.join('\n')}\n`;
}
