import fs from 'node:fs/promises';
import path from 'node:path';
import { withTempDir } from '../temp-dir.js';
import type { AudioFormat } from './audio-format.js';
import { probeDuration, renderSource } from './ffmpeg.js';
import { CODEC_OPTIONS } from './ffmpeg-args.js';

const SECONDS = 0.5;
const made = new Map<AudioFormat, Promise<{ bytes: Buffer; durationSec: number }>>();

/** Half a second of silence in a chapter's encoding, made once per process (for dry runs). */
export function silentChapter(
  format: AudioFormat,
): Promise<{ bytes: Buffer; durationSec: number }> {
  let chapter = made.get(format);
  if (!chapter) {
    chapter = withTempDir(async (dir) => {
      const file = path.join(dir, `silence.${format}`);
      await renderSource('anullsrc=r=22050:cl=mono', SECONDS, CODEC_OPTIONS[format], file);
      return { bytes: await fs.readFile(file), durationSec: await probeDuration(file) };
    });
    made.set(format, chapter);
  }
  return chapter;
}
