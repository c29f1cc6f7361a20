import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { belowNormal } from '../priority.js';
import { sentenceIds } from './piper-phonemes.js';
import type { PiperVoice } from './piper-voice.js';
import type { SynthesisAnswer } from './synthesis-threads.js';

/** A request to a synthesis thread (see piper-engine.ts); answered with SynthesisAnswer. */
export interface PiperRequest {
  text: string;
  voice: PiperVoice;
  lengthScale: number;
}

const threads = Math.max(1, Number((workerData as { threads?: number }).threads) || 1);
// Inference below the worker's event loop; the model's own threads, started later, inherit it.
belowNormal();

/** Each voice's model, loaded once by this thread and reused for every sentence. */
const sessions = new Map<string, Promise<ort.InferenceSession>>();
function session(voice: PiperVoice) {
  let s = sessions.get(voice.modelPath);
  if (!s) {
    s = ort.InferenceSession.create(voice.modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      // Idle intra-op threads would spin-wait for the next operator, burning the CPU that
      // the other synthesis slots (and ffmpeg) need.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    sessions.set(voice.modelPath, s);
  }
  return s;
}

/** One sentence through the model, peak-normalized as Piper does, as 16-bit samples. */
async function speak(ids: number[], voice: PiperVoice, lengthScale: number): Promise<Int16Array> {
  const model = await session(voice);
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
    input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
    scales: new ort.Tensor(
      'float32',
      Float32Array.from([voice.noiseScale, lengthScale, voice.noiseW]),
      [3],
    ),
  };
  if (voice.numSpeakers > 1) feeds.sid = new ort.Tensor('int64', BigInt64Array.from([0n]), [1]);
  const result = await model.run(feeds);
  const audio = result[model.outputNames[0] as string]?.data as Float32Array;
  let peak = 0;
  for (const v of audio) peak = Math.max(peak, Math.abs(v));
  const gain = peak < 1e-8 ? 0 : 1 / peak;
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++)
    out[i] = Math.round(Math.max(-1, Math.min(1, (audio[i] as number) * gain)) * 32767);
  return out;
}

parentPort?.on('message', async (req: PiperRequest) => {
  try {
    const parts: Int16Array[] = [];
    for (const ids of await sentenceIds(req.text, req.voice)) {
      if (ids.length > 3) parts.push(await speak(ids, req.voice, req.lengthScale));
    }
    // Piper joins sentences with no silence between them by default (--sentence-silence 0).
    const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      samples.set(p, at);
      at += p.length;
    }
    const answer: SynthesisAnswer = { ok: true, samples };
    parentPort?.postMessage(answer, [samples.buffer]);
  } catch (err) {
    const answer: SynthesisAnswer = { ok: false, message: (err as Error).message };
    parentPort?.postMessage(answer);
  }
});
