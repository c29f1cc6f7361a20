import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeDuration, runFfmpeg } from '../src/audio/ffmpeg.js';
import { CODEC_OPTIONS, concatList, ffmetadata, mergeJob } from '../src/audio/ffmpeg-args.js';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { splitSegments } from '../src/text/segments.js';
import { createWasmEspeakEngine } from '../src/tts/espeak-engine.js';
import { toWav } from '../src/tts/wav.js';
import { createDeployment } from '../test/support/deployment.js';
import { fixture } from '../test/support/fixtures.js';

const BOOK = 'pg-pride-and-prejudice-epub2.epub';

/**
 * A full novel through the service with espeak-ng, against a plain sequential
 * script of the same work (per chapter: espeak-ng, then ffmpeg to AAC; then
 * one concat). Targets: ≤ 0.6× the script's wall time, and within 1.2× of the
 * limit: the CPU time of the script's synthesis and encoding spread over the
 * cores, plus its merge. CPU time, not wall time: espeak-ng runs in a Node
 * child whose V8 compiles and collects garbage on other threads, so its
 * synthesis keeps more than one core busy (about 1.3 here).
 */
export async function benchTimeToAudiobook(): Promise<Record<string, number>> {
  const cores = os.availableParallelism();
  const script = await sequentialScript();
  const serviceSec = await throughService();
  const limitSec = (script.synthCpuSec + script.encodeCpuSec) / cores + script.mergeSec;
  return {
    cores,
    chapters: script.chapters,
    audioHours: round(script.audioSec / 3600),
    scriptSec: round(script.totalSec),
    scriptSynthSec: round(script.synthSec),
    scriptSynthCpuSec: round(script.synthCpuSec),
    scriptEncodeSec: round(script.encodeSec),
    scriptEncodeCpuSec: round(script.encodeCpuSec),
    scriptMergeSec: round(script.mergeSec),
    serviceSec: round(serviceSec),
    serviceOverScript: round(serviceSec / script.totalSec),
    targetOverScript: 0.6,
    limitSec: round(limitSec),
    serviceOverLimit: round(serviceSec / limitSec),
    targetOverLimit: 1.2,
  };
}

async function sequentialScript() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-t2a-'));
  try {
    const book = await parseEpubFile(fixture(BOOK));
    // A plain script starts espeak-ng afresh for each chapter; the service keeps its warm.
    const engine = createWasmEspeakEngine({ keepWarm: false });
    let synthSec = 0;
    let encodeSec = 0;
    let synthCpuSec = 0;
    let encodeCpuSec = 0;
    const files: string[] = [];
    const t0 = performance.now();
    for (const chapter of book.chapters.filter((c) => !c.skipped)) {
      let t = performance.now();
      let cpu = await processTreeCpuSec();
      const session = engine.open({ language: book.language, voice: 'en', speed: 1 });
      const pcm: Buffer[] = [];
      let rate = 22050;
      for (const segment of splitSegments(chapter.text)) {
        const out = await session.synthesize(segment);
        rate = out.sampleRate;
        pcm.push(out.data);
      }
      session.close();
      const wav = path.join(dir, `${chapter.n}.wav`);
      await fs.writeFile(wav, toWav({ sampleRate: rate, channels: 1, data: Buffer.concat(pcm) }));
      synthSec += (performance.now() - t) / 1000;
      synthCpuSec += (await processTreeCpuSec()) - cpu;
      t = performance.now();
      cpu = await processTreeCpuSec();
      const m4a = path.join(dir, `${chapter.n}.m4a`);
      await runFfmpeg({
        inputs: [{ path: wav, options: [] }],
        outputOptions: CODEC_OPTIONS.m4b,
        output: m4a,
      });
      await fs.rm(wav);
      encodeSec += (performance.now() - t) / 1000;
      encodeCpuSec += (await processTreeCpuSec()) - cpu;
      files.push(m4a);
    }
    const t = performance.now();
    const list = path.join(dir, 'list.txt');
    const metadata = path.join(dir, 'meta.txt');
    await fs.writeFile(list, concatList(files));
    await fs.writeFile(metadata, ffmetadata({ title: book.title, artist: book.author }, []));
    const out = path.join(dir, 'book.m4b');
    await runFfmpeg(mergeJob({ list, metadata }, 'm4b', out));
    const mergeSec = (performance.now() - t) / 1000;
    return {
      chapters: files.length,
      audioSec: await probeDuration(out),
      synthSec,
      encodeSec,
      synthCpuSec,
      encodeCpuSec,
      mergeSec,
      totalSec: (performance.now() - t0) / 1000,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function throughService(): Promise<number> {
  const d = await createDeployment();
  try {
    await d.start('api');
    await d.start('worker');
    const t0 = performance.now();
    const { body } = await d.api.upload(fixture(BOOK));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED'], 1_800_000);
    if (book.status !== 'READY') throw new Error(`the book ended ${book.status}: ${book.error}`);
    return (performance.now() - t0) / 1000;
  } finally {
    await d.stop();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * CPU seconds used by this process and its finished children (Linux: the
 * children's times in /proc/self/stat, in clock ticks of 1/100 s). The speech
 * child is closed, and so counted, before its chapter's figure is taken.
 */
async function processTreeCpuSec(): Promise<number> {
  const fields = (await fs.readFile('/proc/self/stat', 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const children = (Number(fields[13]) + Number(fields[14])) / 100;
  const own = process.cpuUsage();
  return children + (own.user + own.system) / 1e6;
}
