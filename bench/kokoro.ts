import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { wordCount } from '../src/epub/epub-text.js';
import { MAX_SEGMENT_CHARS, splitSegments } from '../src/text/segments.js';
import { createKokoroEngine } from '../src/tts/kokoro-engine.js';
import { KOKORO_RATE, loadKokoro } from '../src/tts/kokoro-voice.js';
import { fixture } from '../test/support/fixtures.js';
import { kokoroLayout, kokoroReference } from '../test/support/kokoro.js';
import { novelThroughService } from './novel.js';

const round = (n: number) => Math.round(n * 100) / 100;
/** PyPI's Kokoro voices are Japanese; jf_alpha reads English text as English. */
const VOICE = 'jf_alpha';
/** Words of the chapter read: Kokoro takes about half a CPU second per second of speech. */
const WORDS = 800;

/**
 * The opening 800 words of a Pride and Prejudice chapter, read by the same Kokoro-82M model
 * and voice by bookflow's engine (configured as the service runs it here: a slot per core,
 * one inference thread each; one chapter keeps one slot busy, a sentence a request) and by
 * the `kokoro-onnx` package (its `create`, all cores), in the same run. CPU time counted
 * after each has loaded the model.
 * Target: bookflow's CPU time per second of audio ≤ 1.0× kokoro-onnx's.
 */
export async function benchKokoro(): Promise<Record<string, number | string>> {
  const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
  const chapter = book.chapters.find((c) => !c.skipped && wordCount(c.text) >= 2000);
  if (!chapter) throw new Error('no chapter of 2,000 words');
  const text = chapter.text.split(/\s+/).slice(0, WORDS).join(' ');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-kokoro-'));
  try {
    await kokoroLayout(dir);
    const ours = await oursOn(text, dir);
    const [theirs] = await kokoroReference(dir, VOICE, 'en-us', [text], dir);
    if (!theirs) throw new Error('kokoro-onnx answered nothing');
    const ourCpuPerAudio = ours.cpuSec / ours.audioSec;
    const theirCpuPerAudio = theirs.cpu / theirs.seconds;
    return {
      words: wordCount(text),
      audioSec: round(ours.audioSec),
      bookflowWallSec: round(ours.wallSec),
      bookflowCpuSec: round(ours.cpuSec),
      bookflowCpuPerAudioSec: round(ourCpuPerAudio),
      kokoroOnnxAudioSec: round(theirs.seconds),
      kokoroOnnxCpuSec: round(theirs.cpu),
      kokoroOnnxCpuPerAudioSec: round(theirCpuPerAudio),
      cpuPerAudioOverKokoroOnnx: round(ourCpuPerAudio / theirCpuPerAudio),
      // The runtime decides most of it: each release speeds the int8 model's kernels up.
      bookflowOnnxruntime: ort.env.versions.node ?? '',
      kokoroOnnxOnnxruntime: theirs.onnxruntime,
      targetCpuPerAudioOverKokoroOnnx: 1,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function oursOn(text: string, dir: string) {
  const engine = createKokoroEngine({
    model: loadKokoro(dir),
    defaultVoice: VOICE,
    concurrency: os.availableParallelism(),
  });
  // Warm the thread and the model first, as kokoro-onnx's time leaves its load out.
  await engine.open({ voice: VOICE, speed: 1, language: 'en' }).synthesize('Ready.');
  const session = engine.open({ voice: VOICE, speed: 1, language: 'en' });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  for (const segment of splitSegments(text, MAX_SEGMENT_CHARS, 'sentence'))
    bytes += (await session.synthesize(segment)).data.length;
  const used = process.cpuUsage(cpu);
  return {
    wallSec: (performance.now() - t0) / 1000,
    cpuSec: (used.user + used.system) / 1e6,
    audioSec: bytes / 2 / KOKORO_RATE,
  };
}

/** A whole fixture novel (Kafka's Metamorphosis) through the service with Kokoro, on this machine's cores. */
export async function benchKokoroNovel(): Promise<Record<string, number>> {
  const install = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-kokoro-'));
  try {
    await kokoroLayout(install);
    const env = { TTS_ENGINE: 'kokoro', KOKORO_DIR: install, TTS_VOICE: VOICE };
    return await novelThroughService(env, 8 * 3600_000);
  } finally {
    await fs.rm(install, { recursive: true, force: true });
  }
}
