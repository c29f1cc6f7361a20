import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import type { AudioFormat } from '../audio/audio-format.js';
import { partsOf } from '../audio/audiobook-parts.js';
import { runFfmpeg } from '../audio/ffmpeg.js';
import { type ChapterMark, concatList, ffmetadata, mergeJob } from '../audio/ffmpeg-args.js';
import { objectKeys } from '../storage/object-keys.js';
import type { Storage } from '../storage/storage.js';

/** What every file of one book shares: its tags and cover, in one scratch folder. */
export interface JoinSpec {
  dir: string;
  format: AudioFormat;
  tags: { title: string; artist: string | null; narrator: string };
  cover: string | undefined;
  signal: AbortSignal | undefined;
}

/** Chapter files joined into `out` by stream copy, with their markers, the tags and the cover. */
export async function joinChapters(
  spec: JoinSpec,
  files: string[],
  marks: ChapterMark[],
  out: string,
  track?: string,
): Promise<void> {
  const name = path.basename(out);
  const list = path.join(spec.dir, `${name}.list.txt`);
  const metadata = path.join(spec.dir, `${name}.metadata.txt`);
  await fs.writeFile(list, concatList(files));
  await fs.writeFile(metadata, ffmetadata({ ...spec.tags, track }, marks));
  await runFfmpeg(mergeJob({ list, metadata, cover: spec.cover }, spec.format, out), spec.signal);
}

/**
 * A book longer than its `splitHours`, also as parts split at chapter boundaries: each a file
 * of its own with its chapters and tags ("Part 1 of 3", track 1/3), still never re-encoded,
 * and all of them in one zip (stored: audio does not compress). Answers how many parts.
 */
export async function writeParts(
  spec: JoinSpec & { bookId: string; maxSec: number },
  storage: Pick<Storage, 'putFile'>,
  files: string[],
  marks: ChapterMark[],
): Promise<number> {
  const parts = partsOf(
    marks.map((m) => m.durationSec),
    spec.maxSec,
  );
  const zip = new yazl.ZipFile();
  const zipped = path.join(spec.dir, 'parts.zip');
  const written = zip.outputStream.pipe(createWriteStream(zipped));
  for (const [i, indices] of parts.entries()) {
    const partNumber = i + 1;
    const label = `Part ${partNumber} of ${parts.length}`;
    const out = path.join(spec.dir, `part-${partNumber}.${spec.format}`);
    const tags = { ...spec.tags, title: `${spec.tags.title} (${label})` };
    const pick = <T>(all: T[]) => indices.map((j) => all[j] as T);
    await joinChapters(
      { ...spec, tags },
      pick(files),
      pick(marks),
      out,
      `${partNumber}/${parts.length}`,
    );
    await storage.putFile(objectKeys.part(spec.bookId, partNumber, spec.format), out);
    zip.addFile(out, `${spec.tags.title} - ${label}.${spec.format}`, { compress: false });
  }
  zip.end();
  await finished(written);
  await storage.putFile(objectKeys.partsZip(spec.bookId), zipped);
  return parts.length;
}
