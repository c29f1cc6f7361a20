/**
 * Loudness, done on the PCM we already hold: each synthesized segment is
 * scaled to one RMS level (peaks kept below full scale), so chapters — and
 * books from different engines — play at an even volume. This costs next to
 * nothing, where ffmpeg's loudnorm filter would make encoding several times slower.
 */

/** Speech level, in dB relative to full scale (RMS). */
export const TARGET_DBFS = -20;
const MAX_GAIN = 8;
const PEAK_LIMIT = 0.95 * 32767;
/** Samples this quiet are pauses, not speech, and do not count toward the level. */
const SILENCE_THRESHOLD = 0.01 * 32767;

export function normalizePcm(data: Buffer, targetDbfs = TARGET_DBFS): Buffer {
  const samples = new Int16Array(data.buffer, data.byteOffset, Math.floor(data.length / 2));
  let sumSquares = 0;
  let counted = 0;
  let peak = 0;
  for (const s of samples) {
    const a = Math.abs(s);
    if (a > peak) peak = a;
    if (a >= SILENCE_THRESHOLD) {
      sumSquares += s * s;
      counted++;
    }
  }
  if (counted === 0) return Buffer.from(data);
  const rms = Math.sqrt(sumSquares / counted);
  const target = 32767 * 10 ** (targetDbfs / 20);
  const gain = Math.min(target / rms, MAX_GAIN, PEAK_LIMIT / Math.max(peak, 1));
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    out.writeInt16LE(Math.round((samples[i] as number) * gain), i * 2);
  }
  return out;
}

/** RMS level of speech in the buffer, in dBFS (for tests and diagnostics). */
export function speechLevelDbfs(data: Buffer): number {
  const samples = new Int16Array(data.buffer, data.byteOffset, Math.floor(data.length / 2));
  let sum = 0;
  let n = 0;
  for (const s of samples) {
    if (Math.abs(s) >= SILENCE_THRESHOLD) {
      sum += s * s;
      n++;
    }
  }
  return n === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(Math.sqrt(sum / n) / 32767);
}

/** Silence of the given length, in the given PCM format. */
export function silence(format: { sampleRate: number; channels: number }, seconds: number): Buffer {
  return Buffer.alloc(Math.round(format.sampleRate * seconds) * format.channels * 2);
}
