import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { batches, kokoroPhonemes, toTokens } from './kokoro-phonemes.js';
import { KOKORO_RATE, STYLE_SIZE } from './kokoro-voice.js';
import { modelSession, serveSynthesis } from './synthesis-thread.js';

/** A request to a Kokoro synthesis thread (see kokoro-engine.ts). */
export interface KokoroRequest {
  text: string;
  modelPath: string;
  vocab: Record<string, number>;
  voice: { path: string; espeakVoice: string };
  speed: number;
}

/** Between the pieces of a text longer than the model's context (kokoro-onnx's joins). */
const SENTENCE_PAUSE = 0.25;
const CLAUSE_PAUSE = 0.1;

const styles = new Map<string, Float32Array>();
function styleTable(path: string): Float32Array {
  let table = styles.get(path);
  if (!table) {
    const bytes = fs.readFileSync(path);
    // Copied out: a Buffer may sit at an offset of a shared pool that floats cannot start at.
    table = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    styles.set(path, table);
  }
  return table;
}

/**
 * Where sound starts and ends, as kokoro-onnx trims each piece (librosa's `trim`, 60 dB
 * below the loudest 2048-sample frame, frames 512 apart and centred).
 */
function trimmed(audio: Float32Array, frame = 2048, hop = 512): Float32Array {
  const frames = Math.floor(audio.length / hop) + 1;
  const rms = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let sum = 0;
    for (let i = t * hop - frame / 2; i < t * hop + frame / 2; i++) {
      const v = i >= 0 && i < audio.length ? (audio[i] as number) : 0;
      sum += v * v;
    }
    rms[t] = Math.sqrt(sum / frame);
  }
  const floor = Math.max(...rms) * 10 ** (-60 / 20);
  const loud = [...rms.keys()].filter((t) => (rms[t] as number) > floor);
  if (loud.length === 0) return audio.subarray(0, 0);
  return audio.subarray(
    (loud[0] as number) * hop,
    Math.min(audio.length, ((loud.at(-1) as number) + 1) * hop),
  );
}

/** One piece of phonemes through the model: [0, ...tokens, 0], its voice's style for its length. */
async function infer(req: KokoroRequest, tokens: number[]): Promise<Float32Array> {
  const model = await modelSession(req.modelPath);
  const table = styleTable(req.voice.path);
  const row = Math.min(tokens.length, table.length / STYLE_SIZE) - 1;
  const input = model.inputNames.includes('input_ids') ? 'input_ids' : 'tokens';
  const result = await model.run({
    [input]: new ort.Tensor('int64', BigInt64Array.from([0, ...tokens, 0].map(BigInt)), [
      1,
      tokens.length + 2,
    ]),
    style: new ort.Tensor('float32', table.slice(row * STYLE_SIZE, (row + 1) * STYLE_SIZE), [
      1,
      STYLE_SIZE,
    ]),
    speed: new ort.Tensor('float32', Float32Array.from([req.speed]), [1]),
  });
  return result[model.outputNames[0] as string]?.data as Float32Array;
}

async function speak(req: KokoroRequest): Promise<Int16Array> {
  const phonemes = await kokoroPhonemes(req.text, req.voice.espeakVoice);
  const parts: Float32Array[] = [];
  let previous = '';
  for (const piece of batches(phonemes)) {
    const tokens = toTokens(piece, req.vocab);
    if (tokens.length === 0) continue;
    if (previous) {
      const pause = /[.!?…]$/.test(previous) ? SENTENCE_PAUSE : CLAUSE_PAUSE;
      parts.push(new Float32Array(Math.round(pause * KOKORO_RATE)));
    }
    parts.push(trimmed(await infer(req, tokens)));
    previous = piece;
  }
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts)
    for (const v of part) samples[at++] = Math.round(Math.max(-1, Math.min(1, v)) * 32767);
  return samples;
}

serveSynthesis(speak);
