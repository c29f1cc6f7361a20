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
/** Level is measured over short frames; frames quieter than this are pauses and do not count. */
const FRAME = 256;
const GATE = 32767 * 10 ** (-50 / 20);

function samplesOf(data: Buffer): Int16Array {
  // A typed-array view needs an even offset; copy the rare buffer that has none.
  const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
  return new Int16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.length / 2));
}

/** RMS over the frames that carry speech, and the peak; null when all is silence. */
function measure(samples: Int16Array): { rms: number; peak: number } | null {
  let sum = 0;
  let counted = 0;
  let peak = 0;
  for (let start = 0; start < samples.length; start += FRAME) {
    let frameSum = 0;
    const end = Math.min(start + FRAME, samples.length);
    for (let i = start; i < end; i++) {
      const s = samples[i] as number;
      frameSum += s * s;
      const magnitude = s < 0 ? -s : s;
      if (magnitude > peak) peak = magnitude;
    }
    if (Math.sqrt(frameSum / (end - start)) >= GATE) {
      sum += frameSum;
      counted += end - start;
    }
  }
  return counted === 0 ? null : { rms: Math.sqrt(sum / counted), peak };
}

/** Scales `data` in place (it is the caller's to give) and returns it. */
export function normalizePcm(data: Buffer, targetDbfs = TARGET_DBFS): Buffer {
  const samples = samplesOf(data);
  const level = measure(samples);
  if (!level) return data;
  const target = 32767 * 10 ** (targetDbfs / 20);
  const gain = Math.min(target / level.rms, MAX_GAIN, PEAK_LIMIT / Math.max(level.peak, 1));
  // The gain never takes a sample past PEAK_LIMIT, so no value can overflow 16 bits;
  // the typed array rounds toward zero, a difference below one step.
  for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] as number) * gain;
  if (samples.buffer === data.buffer) return data;
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** RMS level of the speech in the buffer, in dBFS (for tests and diagnostics). */
export function speechLevelDbfs(data: Buffer): number {
  const level = measure(samplesOf(data));
  return level ? 20 * Math.log10(level.rms / 32767) : Number.NEGATIVE_INFINITY;
}

/** Silence of the given length, in the given PCM format. */
export function silence(format: { sampleRate: number; channels: number }, seconds: number): Buffer {
  return Buffer.alloc(Math.round(format.sampleRate * seconds) * format.channels * 2);
}
