import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../src/audio/ffmpeg.js';
import { CODEC_OPTIONS } from '../../src/audio/ffmpeg-args.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { createWasmEspeakEngine } from '../../src/tts/espeak-engine.js';
import { splitSegments } from '../../src/tts/segments.js';
import { toWav } from '../../src/tts/wav.js';
import { fixture } from '../../test/support/fixtures.js';

const tick = 100;
async function cpu() {
  const f = (await fs.readFile('/proc/self/stat', 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const children = (Number(f[13]) + Number(f[14])) / tick;
  const self = process.cpuUsage();
  return children + (self.user + self.system) / 1e6;
}
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cpu-'));
const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
const engine = createWasmEspeakEngine();
let synthWall = 0,
  synthCpu = 0,
  encWall = 0,
  encCpu = 0;
for (const chapter of book.chapters.filter((c) => !c.skipped).slice(5, 13)) {
  let t = performance.now();
  let c = await cpu();
  const session = engine.open({ language: 'en', voice: 'en', speed: 1 });
  const pcm: Buffer[] = [];
  let rate = 22050;
  for (const s of splitSegments(chapter.text)) {
    const o = await session.synthesize(s);
    rate = o.sampleRate;
    pcm.push(o.data);
  }
  session.close();
  await new Promise((r) => setTimeout(r, 100));
  const wav = path.join(dir, `${chapter.n}.wav`);
  await fs.writeFile(wav, toWav({ sampleRate: rate, channels: 1, data: Buffer.concat(pcm) }));
  synthWall += performance.now() - t;
  synthCpu += (await cpu()) - c;
  t = performance.now();
  c = await cpu();
  await runFfmpeg({
    inputs: [{ path: wav, options: [] }],
    outputOptions: CODEC_OPTIONS.m4b,
    output: path.join(dir, `${chapter.n}.m4a`),
  });
  encWall += performance.now() - t;
  encCpu += (await cpu()) - c;
}
console.log({ synthWall: synthWall / 1000, synthCpu, encWall: encWall / 1000, encCpu });
await fs.rm(dir, { recursive: true });
