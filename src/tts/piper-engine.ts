import os from 'node:os';
import type { Worker as Thread } from 'node:worker_threads';
import { startThread } from '../thread-entry.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import type { PiperAnswer, PiperRequest } from './piper-thread.js';
import { loadPiperVoice, type PiperVoice } from './piper-voice.js';
import { DEFAULT_MAX_CHARS, type TtsEngine } from './tts-engine.js';

const ENTRY = new URL('./piper-thread.ts', import.meta.url);

/**
 * A Piper voice's pace at length scale 1, pauses included: measured with en_US-joe-medium on
 * Pride and Prejudice's chapters 2 and 3 (test/in-process/estimates.test.ts). A voice whose
 * config asks for a longer scale reads slower by as much.
 */
const WPM_AT_SCALE_1 = 202;

interface Pending {
  request: PiperRequest;
  resolve(samples: Int16Array): void;
  reject(err: Error): void;
}

/**
 * Piper voices, synthesized in-process with onnxruntime-node: one worker
 * thread per synthesis slot (TTS_CONCURRENCY), each with the cores divided
 * among them, so slots never oversubscribe the machine and inference never
 * runs on the event loop. Each thread loads a voice once and keeps it.
 */
export function createPiperEngine(opts: {
  voices: PiperVoice[];
  defaultVoice: string | undefined;
  concurrency: number;
}): TtsEngine {
  const byId = new Map(opts.voices.map((v) => [v.id, v]));
  const threadsEach = Math.max(1, Math.floor(os.availableParallelism() / opts.concurrency));
  const idle: Thread[] = [];
  const queue: Pending[] = [];
  const running = new Map<Thread, Pending>();
  let started = 0;
  let nextId = 0;

  function spawn(): Thread {
    const thread = startThread(ENTRY, { data: { threads: threadsEach } });
    thread.unref();
    thread.on('message', (answer: PiperAnswer) => {
      const job = running.get(thread);
      running.delete(thread);
      if (job) {
        if (answer.ok) job.resolve(answer.samples);
        else job.reject(new Error(`Piper could not synthesize: ${answer.message}`));
      }
      idle.push(thread);
      dispatch();
    });
    // A thread that dies (an error, or an exit) fails its request; the next one starts afresh.
    let failure: Error | undefined;
    thread.on('error', (err) => {
      failure = err;
    });
    thread.on('exit', (code) => {
      running.get(thread)?.reject(failure ?? new Error(`a Piper thread stopped (exit ${code})`));
      running.delete(thread);
      const i = idle.indexOf(thread);
      if (i >= 0) idle.splice(i, 1);
      started -= 1;
      dispatch();
    });
    return thread;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let thread = idle.pop();
      if (!thread && started < opts.concurrency) {
        started += 1;
        thread = spawn();
      }
      if (!thread) return;
      const job = queue.shift() as Pending;
      running.set(thread, job);
      thread.postMessage(job.request);
    }
  }

  function synthesize(text: string, voice: PiperVoice, lengthScale: number): Promise<Int16Array> {
    return new Promise((resolve, reject) => {
      queue.push({ request: { id: nextId++, text, voice, lengthScale }, resolve, reject });
      dispatch();
    });
  }

  const fallback = opts.defaultVoice ?? opts.voices[0]?.id ?? '';
  return {
    name: 'piper',
    unit: 'sentence',
    voices: opts.voices.map((v) => ({ id: v.id, language: v.language })),
    defaultVoice: fallback,
    wordsPerMinute: (voice) =>
      WPM_AT_SCALE_1 / ((byId.get(voice) ?? byId.get(fallback))?.lengthScale ?? 1),
    open({ voice, speed }) {
      const chosen = byId.get(voice) ?? (byId.get(fallback) as PiperVoice);
      let closed = false;
      return {
        async synthesize(text) {
          if (closed) throw new Error('the speech session was closed');
          // Piper's speed is its length scale: a faster reading makes every phoneme shorter.
          const samples = await synthesize(text, chosen, chosen.lengthScale / speed);
          if (closed) throw new Error('the speech session was closed');
          const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
          return { sampleRate: chosen.sampleRate, channels: 1, data };
        },
        close: () => {
          closed = true;
        },
      };
    },
  };
}

/** TTS_ENGINE=piper: the voices PIPER_VOICES lists (`.onnx` paths), each read at start-up. */
export const piperEngine = defineEngine({
  variables: ['PIPER_VOICES'],
  settings(r) {
    const paths = (r.str('PIPER_VOICES') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (paths.length === 0) r.problems.push('PIPER_VOICES is required when TTS_ENGINE=piper');
    const piperVoices: PiperVoice[] = [];
    for (const p of paths) {
      try {
        piperVoices.push(loadPiperVoice(p));
      } catch (err) {
        r.problems.push(`PIPER_VOICES: ${(err as Error).message}`);
      }
    }
    return { ...commonSettings(r, { maxChars: DEFAULT_MAX_CHARS }), piperVoices };
  },
  create: (s) =>
    withLimits(
      createPiperEngine({
        voices: s.piperVoices,
        defaultVoice: s.voice,
        concurrency: s.concurrency,
      }),
      s,
    ),
});
