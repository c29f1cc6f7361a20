import * as ort from 'onnxruntime-node';
import { sentenceIds } from './piper-phonemes.js';
import type { PiperVoice } from './piper-voice.js';
import { modelSession, serveSynthesis } from './synthesis-thread.js';

/** A request to a synthesis thread (see piper-engine.ts); answered with SynthesisAnswer. */
export interface PiperRequest {
  text: string;
  voice: PiperVoice;
  lengthScale: number;
}

/** One sentence through the model, peak-normalized as Piper does, as 16-bit samples. */
async function speak(ids: number[], voice: PiperVoice, lengthScale: number): Promise<Int16Array> {
  const model = await modelSession(voice.modelPath);
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

serveSynthesis(async (req: PiperRequest) => {
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
  return samples;
});
