import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
    chapter = (async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-silence-'));
      try {
        const file = path.join(dir, `silence.${format}`);
        await renderSource('anullsrc=r=22050:cl=mono', SECONDS, CODEC_OPTIONS[format], file);
        return { bytes: await fs.readFile(file), durationSec: await probeDuration(file) };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    })();
    made.set(format, chapter);
  }
  return chapter;
}
