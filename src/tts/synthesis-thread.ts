import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { belowNormal } from '../priority.js';
import type { SynthesisAnswer } from './synthesis-threads.js';

/**
 * What runs inside each synthesis thread of an in-process engine (piper-thread.ts,
 * kokoro-thread.ts); synthesis-threads.ts starts them and hands out their requests.
 */

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** A model, loaded once by this thread (with its share of the cores) and kept for every request. */
export function modelSession(modelPath: string): Promise<ort.InferenceSession> {
  let s = sessions.get(modelPath);
  if (!s) {
    const threads = Math.max(1, Number((workerData as { threads?: number }).threads) || 1);
    s = ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      // Idle intra-op threads would spin-wait for the next operator, burning the CPU that
      // the other synthesis slots (and ffmpeg) need.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    sessions.set(modelPath, s);
  }
  return s;
}

/** Answers each request this thread is sent with its samples, or with why it could not. */
export function serveSynthesis<Request>(speak: (request: Request) => Promise<Int16Array>): void {
  // Inference below the worker's event loop; the model's own threads, started later, inherit it.
  belowNormal();
  parentPort?.on('message', async (request: Request) => {
    let answer: SynthesisAnswer;
    try {
      answer = { ok: true, samples: await speak(request) };
    } catch (err) {
      answer = { ok: false, message: (err as Error).message };
    }
    parentPort?.postMessage(answer, answer.ok ? [answer.samples.buffer as ArrayBuffer] : []);
  });
}
