import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AudioFormat } from '../src/audio/audio-format.js';
import { probeDuration, renderSource, runFfmpeg } from '../src/audio/ffmpeg.js';
import { CODEC_OPTIONS, concatList, ffmetadata, mergeJob } from '../src/audio/ffmpeg-args.js';

const CHAPTERS = 30;
const CHAPTER_SECONDS = 20 * 60; // 30 × 20 min = a 10-hour book

/**
 * The merge of a 10-hour book next to a plain copy of the same bytes: the merge
 * must stream-copy (never re-encode), so it should cost about as much as the copy.
 */
export async function benchMerge(format: AudioFormat = 'm4b'): Promise<Record<string, number>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-merge-'));
  try {
    const ext = format === 'mp3' ? 'mp3' : 'm4a';
    const one = path.join(dir, `chapter.${ext}`);
    // One chapter of speech-like audio in the chapter jobs' own encoding, reused 30 times.
    await renderSource(
      'sine=frequency=180:sample_rate=22050',
      CHAPTER_SECONDS,
      CODEC_OPTIONS[format],
      one,
    );
    const files = [];
    for (let i = 1; i <= CHAPTERS; i++) {
      const f = path.join(dir, `${i}.${ext}`);
      await fs.copyFile(one, f);
      files.push(f);
    }
    const chapterSec = await probeDuration(one);
    const list = path.join(dir, 'list.txt');
    const metadata = path.join(dir, 'meta.txt');
    await fs.writeFile(list, concatList(files));
    const marks = files.map((_, i) => ({ title: `Chapter ${i + 1}`, durationSec: chapterSec }));
    await fs.writeFile(metadata, ffmetadata({ title: 'Bench', artist: 'bookflow' }, marks));

    const out = path.join(dir, `book.${format}`);
    let t0 = performance.now();
    await runFfmpeg(mergeJob({ list, metadata }, format, out));
    const mergeSec = (performance.now() - t0) / 1000;

    t0 = performance.now();
    const copy = await fs.open(path.join(dir, 'copy.bin'), 'w');
    for (const f of files) await copy.write(await fs.readFile(f));
    await copy.close();
    const copySec = (performance.now() - t0) / 1000;

    const audioHours = (await probeDuration(out)) / 3600;
    const bytes = (await fs.stat(out)).size;
    return {
      audioHours: round(audioHours),
      megabytes: round(bytes / 1e6),
      mergeSeconds: round(mergeSec),
      copySeconds: round(copySec),
      mergeOverCopy: round(mergeSec / copySec),
      audioHoursPerSecond: round(audioHours / mergeSec),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
