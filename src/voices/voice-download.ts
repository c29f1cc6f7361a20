import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CatalogueFile, sizeOf } from './voice-catalogue.js';

/** How far a download has come, in bytes of the voice's files together. */
export type Progress = (done: number, total: number) => void;

/** A file that arrived but is not the one the catalogue describes. */
export class CorruptDownloadError extends Error {}

function hasherFor(file: CatalogueFile): { hash: Hash; expected: string } | undefined {
  const d = file.digest;
  if (!d) return undefined;
  if ('md5' in d) return { hash: createHash('md5'), expected: d.md5 };
  if ('sha256' in d) return { hash: createHash('sha256'), expected: d.sha256 };
  // A small file of a Hub repository is named by its git blob id: SHA-1 of "blob <size>\0" + bytes.
  const hash = createHash('sha1').update(`blob ${file.size}\0`);
  return { hash, expected: d.gitBlob };
}

/**
 * Fetches one file into `<dest>.part`, going on from what an earlier, cut download left there
 * (an HTTP Range request; a server that ignores it sends the whole file again), then checks
 * its size and digest against the catalogue and only then renames it into place: a file at
 * `dest` is always whole and right. A wrong one is deleted and refused.
 */
export async function downloadFile(
  file: CatalogueFile,
  dest: string,
  onBytes: (n: number) => void,
): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const had = (await fs.stat(part).catch(() => undefined))?.size ?? 0;
  const from = had > 0 && had < file.size ? had : 0;
  const res = await fetch(file.url, from > 0 ? { headers: { range: `bytes=${from}-` } } : {});
  if (!res.ok || !res.body) throw new Error(`${file.url} answered ${res.status}`);
  const resumed = res.status === 206;
  onBytes(resumed ? from : 0);
  const counting = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  counting.on('data', (chunk: Buffer) => onBytes(chunk.length));
  await pipeline(counting, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  await verify(file, part);
  await fs.rename(part, dest);
}

async function verify(file: CatalogueFile, part: string): Promise<void> {
  const size = (await fs.stat(part)).size;
  const check = hasherFor(file);
  let problem = file.size && size !== file.size ? `${size} bytes, not ${file.size}` : '';
  if (!problem && check) {
    await pipeline(createReadStream(part), check.hash);
    const got = check.hash.digest('hex');
    if (got !== check.expected) problem = `digest ${got}, not ${check.expected}`;
  }
  if (problem) {
    await fs.rm(part, { force: true });
    throw new CorruptDownloadError(
      `${path.basename(file.url)} arrived corrupt (${problem}); try again`,
    );
  }
}

/** Every file of a voice not yet in `root`, with one progress count for them all. */
export async function downloadAll(
  files: CatalogueFile[],
  root: string,
  progress: Progress,
): Promise<void> {
  const total = sizeOf(files);
  let done = 0;
  for (const file of files) {
    const dest = path.join(root, file.dest);
    const whole = (await fs.stat(dest).catch(() => undefined))?.size === file.size;
    if (whole) {
      done += file.size;
      progress(done, total);
      continue;
    }
    const base = done;
    let got = 0;
    await downloadFile(file, dest, (n) => {
      got += n;
      progress(base + got, total);
    });
    done = base + file.size;
  }
}
