import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeDuration, spawnFfmpeg } from '../../src/audio/ffmpeg.js';
import { encodeChapterJob } from '../../src/audio/ffmpeg-args.js';
import { normalizePcm, silence } from '../../src/audio/loudness.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { createWasmEspeakEngine } from '../../src/tts/espeak-engine.js';
import { splitSegments } from '../../src/tts/segments.js';
import { splitTitle } from '../../src/workers/generate-audio-processor.js';
import { fixture } from '../../test/support/fixtures.js';

const tick = 100;
async function cpu() {
  const f = (await fs.readFile('/proc/self/stat', 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const self = process.cpuUsage();
  return {
    children: (Number(f[13]) + Number(f[14])) / tick,
    self: (self.user + self.system) / 1e6,
  };
}
const NORM = !process.env.NONORM;
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpu-'));
const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
const engine = createWasmEspeakEngine();
const t0 = performance.now();
const c0 = await cpu();
for (const chapter of book.chapters.filter((c) => !c.skipped).slice(5, 13)) {
  const split = splitTitle(chapter.title, chapter.text);
  const segments = [split.title, ...splitSegments(split.body, 6000)].filter((t) => t.trim());
  const session = engine.open({ language: 'en', voice: 'en', speed: 1 });
  const file = path.join(dir, `${chapter.n}.m4a`);
  let enc: ReturnType<typeof spawnFfmpeg> | undefined;
  const write = async (d: Buffer) => {
    const s = enc!.stdin;
    if (!s.write(d)) await new Promise((r) => s.once('drain', r));
  };
  let next: Promise<{ data: Buffer; sampleRate: number; channels: number }> | undefined =
    session.synthesize(segments[0]!);
  for (let i = 0; i < segments.length; i++) {
    const pcm = await next!;
    next = segments[i + 1] === undefined ? undefined : session.synthesize(segments[i + 1]!);
    enc ??= spawnFfmpeg(encodeChapterJob({ sampleRate: pcm.sampleRate, channels: 1 }, 'm4b', file));
    await write(NORM ? normalizePcm(pcm.data) : pcm.data);
    if (i === 0) await write(silence({ sampleRate: pcm.sampleRate, channels: 1 }, 0.8));
  }
  enc!.stdin.end();
  await enc!.done;
  session.close();
  await probeDuration(file);
}
await new Promise((r) => setTimeout(r, 200));
const c1 = await cpu();
console.log({
  wall: (performance.now() - t0) / 1000,
  children: c1.children - c0.children,
  self: c1.self - c0.self,
});
await fs.rm(dir, { recursive: true });
