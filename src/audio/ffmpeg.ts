import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { belowNormal } from '../priority.js';
import { type FfmpegJob, toArgv } from './ffmpeg-args.js';
import { findOnPath } from './find-binary.js';

const require = createRequire(import.meta.url);

/** A system ffmpeg when installed; otherwise the static build that npm ships. */
function resolveBinary(name: 'ffmpeg' | 'ffprobe'): string {
  const system = findOnPath(name);
  if (system) return system;
  const pkg = name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  return (require(pkg) as { path: string }).path;
}

let binaries: { ffmpeg: string; ffprobe: string } | undefined;

/**
 * The ffmpeg and ffprobe this process runs, found once, on first use (not when
 * this module is imported: the API process never encodes).
 */
export function ffmpegBinaries(): { ffmpeg: string; ffprobe: string } {
  if (!binaries) {
    binaries = { ffmpeg: resolveBinary('ffmpeg'), ffprobe: resolveBinary('ffprobe') };
    ffmpeg.setFfmpegPath(binaries.ffmpeg);
    ffmpeg.setFfprobePath(binaries.ffprobe);
  }
  return binaries;
}

/** An encoder reading from stdin; `done` settles when ffmpeg exits. */
export interface FfmpegProcess {
  stdin: Writable;
  done: Promise<void>;
  kill(): void;
}

/**
 * Spawns an ffmpeg that reads its input from stdin (the job's input path is
 * `pipe:0`). A raw spawn, not fluent-ffmpeg, because the encoder must run in its
 * own process group: a Ctrl-C or SIGTERM meant for the service must not kill a
 * chapter mid-encode (the worker decides what happens to its jobs on shutdown),
 * and fluent-ffmpeg cannot start a detached child.
 */
export function spawnFfmpeg(job: FfmpegJob): FfmpegProcess {
  const child = spawn(ffmpegBinaries().ffmpeg, toArgv(job), {
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  belowNormal(child.pid);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
  child.stdin.on('error', () => {}); // surfaced through `done` instead
  done.catch(() => {}); // awaited by the caller once it has written everything
  return { stdin: child.stdin, done, kill: () => child.kill('SIGKILL') };
}

/** Runs a file-to-file ffmpeg job to completion through fluent-ffmpeg; `signal` kills it. */
export function runFfmpeg(job: FfmpegJob, signal?: AbortSignal): Promise<void> {
  ffmpegBinaries();
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg();
    signal?.addEventListener('abort', () => cmd.kill('SIGKILL'), { once: true });
    // Our builders make argv already. Given an array, fluent-ffmpeg would split each option at a
    // space ("comment=Cover (front)" → two arguments); given several arguments, it takes them as is.
    for (const input of job.inputs) {
      cmd.input(input.path);
      if (input.options.length > 0) cmd.inputOptions(...(input.options as [string, ...string[]]));
    }
    if (job.outputOptions.length > 0)
      cmd.outputOptions(...(job.outputOptions as [string, ...string[]]));
    cmd
      .output(job.output)
      .on('error', (err: Error, _stdout: unknown, stderr: unknown) =>
        reject(new Error(`ffmpeg failed: ${err.message} ${String(stderr ?? '').slice(-2000)}`)),
      )
      .on('end', () => resolve())
      .run();
  });
}

/** Container duration in seconds, as ffprobe reports it. */
export function probeDuration(file: string): Promise<number> {
  ffmpegBinaries();
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err, data) => {
      if (err) reject(err);
      else resolve(Number(data.format.duration ?? 0));
    });
  });
}

/** Samples in one AAC frame; ffmpeg's AAC encoder primes a stream with exactly one. */
const AAC_FRAME = 1024;

/**
 * A chapter file as a stream-copied join (mergeJob) places it: `spanSec`, what it adds to
 * the audiobook, is every AAC frame it holds, the encoder's priming frame and the last
 * frame's padding included (its own player trims them: `durationSec`); its sound begins
 * `leadSec` in. MP3 chapters are taken at their reported duration.
 */
export function probeChapterAudio(
  file: string,
): Promise<{ durationSec: number; spanSec: number; leadSec: number }> {
  ffmpegBinaries();
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(file, (err, data) => {
      if (err) return reject(err);
      const durationSec = Number(data.format.duration ?? 0);
      const audio = data.streams.find((s) => s.codec_type === 'audio');
      const frames = Number(audio?.nb_frames);
      const rate = Number(audio?.sample_rate);
      if (audio?.codec_name !== 'aac' || !frames || !rate)
        return resolve({ durationSec, spanSec: durationSec, leadSec: 0 });
      resolve({ durationSec, spanSec: (frames * AAC_FRAME) / rate, leadSec: AAC_FRAME / rate });
    });
  });
}

/** Renders one of ffmpeg's generated sources (`anullsrc`, `sine=…`) into a file, encoded as asked. */
export function renderSource(
  source: string,
  seconds: number,
  outputOptions: string[],
  file: string,
): Promise<void> {
  return runFfmpeg({
    inputs: [{ path: source, options: ['-f', 'lavfi', '-t', String(seconds)] }],
    outputOptions,
    output: file,
  });
}
