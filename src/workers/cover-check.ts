import fs from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../audio/ffmpeg.js';
import { coverJob } from '../audio/ffmpeg-args.js';

/** A cover that takes longer than this to decode is not worth waiting for. */
const COVER_TIMEOUT_MS = 20_000;

/**
 * The book's cover as a JPEG the merge can use, or null when the image cannot
 * be read (random bytes, a PNG claiming 65535×65535 pixels, markup declared as
 * an image): a bad cover is left out, never a reason to fail the book.
 */
export async function checkedCover(
  cover: { bytes: Buffer; mediaType: string } | null,
  dir: string,
): Promise<{ bytes: Buffer; mediaType: 'image/jpeg' } | null> {
  if (!cover) return null;
  const input = path.join(dir, 'cover-original');
  const output = path.join(dir, 'cover.jpg');
  await fs.writeFile(input, cover.bytes);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), COVER_TIMEOUT_MS);
  try {
    await runFfmpeg(coverJob(input, output), deadline.signal);
    const bytes = await fs.readFile(output);
    return bytes.length > 0 ? { bytes, mediaType: 'image/jpeg' } : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
