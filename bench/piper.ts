import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probeDuration } from '../src/audio/ffmpeg.js';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { wordCount } from '../src/epub/epub-text.js';
import { splitSegments } from '../src/text/segments.js';
import { createPiperEngine } from '../src/tts/piper-engine.js';
import { loadPiperVoice } from '../src/tts/piper-voice.js';
import { toWav } from '../src/tts/wav.js';
import { fixture } from '../test/support/fixtures.js';
import { testVoicePath } from '../test/support/piper.js';
import { novelThroughService } from './novel.js';

const run = promisify(execFile);
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * One chapter of at least 2,000 words, spoken by the same voice by bookflow's
 * engine (in process, configured as the service runs it here: a slot per
 * core, each inference thread on one core; one chapter keeps one slot busy)
 * and by Piper's own `python3 -m piper`, in the same run.
 * Target: bookflow's CPU time ≤ 1.0× Piper's.
 */
export async function benchPiper(): Promise<Record<string, number>> {
  const voicePath = testVoicePath();
  const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
  const chapter = book.chapters.find((c) => !c.skipped && wordCount(c.text) >= 2000);
  if (!chapter) throw new Error('no chapter of 2,000 words');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-piper-'));
  try {
    const ours = await oursOn(chapter.text, voicePath, path.join(dir, 'ours.wav'));
    const theirs = await piperCommand(chapter.text, voicePath, dir);
    return {
      words: wordCount(chapter.text),
      audioSec: round(ours.audioSec),
      bookflowWallSec: round(ours.wallSec),
      bookflowCpuSec: round(ours.cpuSec),
      bookflowAudioPerCpuSec: round(ours.audioSec / ours.cpuSec),
      piperAudioSec: round(theirs.audioSec),
      piperWallSec: round(theirs.wallSec),
      piperCpuSec: round(theirs.cpuSec),
      piperAudioPerCpuSec: round(theirs.audioSec / theirs.cpuSec),
      cpuOverPiper: round(ours.cpuSec / theirs.cpuSec),
      targetCpuOverPiper: 1,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function oursOn(text: string, voicePath: string, file: string) {
  const voice = loadPiperVoice(voicePath);
  const engine = createPiperEngine({
    voices: [voice],
    defaultVoice: undefined,
    concurrency: os.availableParallelism(),
  });
  // Warm the thread and the model first. Piper's command is timed whole, its start-up (Python,
  // the model's load) included, where bookflow's leaves it out: the ratio is kinder to bookflow.
  const warm = engine.open({ voice: voice.id, speed: 1, language: 'en' });
  await warm.synthesize('Ready.');
  const session = engine.open({ voice: voice.id, speed: 1, language: 'en' });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const parts: Buffer[] = [];
  for (const segment of splitSegments(text)) parts.push((await session.synthesize(segment)).data);
  const wallSec = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const data = Buffer.concat(parts);
  await fs.writeFile(file, toWav({ sampleRate: voice.sampleRate, channels: 1, data }));
  return {
    wallSec,
    cpuSec: (used.user + used.system) / 1e6,
    audioSec: data.length / 2 / voice.sampleRate,
  };
}

/** Piper's own command on the same text; its CPU time from the shell's `times` (user + sys of children). */
async function piperCommand(text: string, voicePath: string, dir: string) {
  await fs.writeFile(path.join(dir, 'text.txt'), text.replace(/\n+/g, ' '));
  const out = path.join(dir, 'piper.wav');
  const script = `python3 -m piper -m '${voicePath}' -f '${out}' < '${path.join(dir, 'text.txt')}' >/dev/null 2>&1; times`;
  const t0 = performance.now();
  const { stdout } = await run('bash', ['-c', script]);
  const wallSec = (performance.now() - t0) / 1000;
  // `times` prints the shell's, then its children's "XmY.YYYs XmY.YYYs".
  const children = stdout.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  return {
    wallSec,
    cpuSec: seconds.reduce((a, b) => a + b, 0),
    audioSec: await probeDuration(out),
  };
}

/** A whole fixture novel (Kafka's Metamorphosis) through the service with Piper, on this machine's cores. */
export const benchPiperNovel = () =>
  novelThroughService({ TTS_ENGINE: 'piper', PIPER_VOICES: testVoicePath() }, 4 * 3600_000);
