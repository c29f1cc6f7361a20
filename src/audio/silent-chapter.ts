import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH, probeDuration } from './ffmpeg.js';
import { type AudioFormat, CODEC_OPTIONS } from './ffmpeg-args.js';

const SECONDS = 0.5;
const made = new Map<AudioFormat, Promise<{ bytes: Buffer; durationSec: number }>>();

/** Half a second of silence in a chapter's encoding, made once per process (for dry runs). */
export function silentChapter(
  format: AudioFormat,
): Promise<{ bytes: Buffer; durationSec: number }> {
  let chapter = made.get(format);
  if (!chapter) {
    chapter = (async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-silence-'));
      try {
        const file = path.join(dir, `silence.${format}`);
        await promisify(execFile)(FFMPEG_PATH, [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          `anullsrc=r=22050:cl=mono`,
          '-t',
          String(SECONDS),
          ...CODEC_OPTIONS[format],
          '-y',
          file,
        ]);
        return { bytes: await fs.readFile(file), durationSec: await probeDuration(file) };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    })();
    made.set(format, chapter);
  }
  return chapter;
}
