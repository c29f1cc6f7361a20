/**
 * Loudness, done on the PCM we already hold: each synthesized segment is
 * scaled to one RMS level, then its few peaks above the ceiling are brought down
 * by a look-ahead limiter, so chapters — and books from different engines —
 * play at an even volume within what audiobook stores ask (RMS −23 to −18 dB,
 * true peak at most −3 dBTP). This costs next to nothing, where ffmpeg's
 * loudnorm filter would make encoding several times slower.
 */

/** Speech level, in dB relative to full scale (RMS). */
export const TARGET_DBFS = -20;
const MAX_GAIN = 8;
/**
 * Sample peaks are held at −4.5 dBFS: encoding (AAC, MP3) and the reconstruction of the
 * waveform between samples add up to about 1 dB, and stores ask for −3 dBTP at most.
 */
export const PEAK_CEILING_DBFS = -4.5;
const CEILING = 32767 * 10 ** (PEAK_CEILING_DBFS / 20);
/** The limiter's look-ahead and its release, in seconds. */
const LOOK_SEC = 0.0015;
const RELEASE_SEC = 0.05;
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

/**
 * Scales `data` in place (it is the caller's to give) to the target level, its peaks held
 * at the ceiling, and returns it. `sampleRate` sets the limiter's look-ahead and release.
 */
export function normalizePcm(data: Buffer, sampleRate = 22050, targetDbfs = TARGET_DBFS): Buffer {
  const samples = samplesOf(data);
  const level = measure(samples);
  if (!level) return data;
  const target = 32767 * 10 ** (targetDbfs / 20);
  const gain = Math.min(target / level.rms, MAX_GAIN);
  const limited = level.peak * gain > CEILING ? limiterGains(samples, gain, sampleRate) : null;
  // Every gain keeps its sample within the ceiling, so no value can overflow 16 bits; the
  // typed array rounds toward zero, a difference below one step.
  for (let i = 0; i < samples.length; i++)
    samples[i] = (samples[i] as number) * (limited ? (limited[i] as number) : gain);
  if (samples.buffer === data.buffer) return data;
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/**
 * Each sample's gain: `gain`, brought down around a peak so the sample stays under the
 * ceiling. The smallest gain any sample within the look-ahead needs, averaged over the same
 * span (so the gain eases down before the peak and never lets one through), then let back
 * up over the release.
 */
function limiterGains(samples: Int16Array, gain: number, sampleRate: number): Float32Array {
  const n = samples.length;
  const look = Math.max(1, Math.round(LOOK_SEC * sampleRate));
  const need = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const magnitude = Math.abs(samples[i] as number) * gain;
    need[i] = magnitude > CEILING ? (gain * CEILING) / magnitude : gain;
  }
  const least = slidingMin(need, look);
  // Indexes past either end count as the nearest one's: its window covers the same samples.
  const at = (j: number) => least[Math.min(n - 1, Math.max(0, j))] as number;
  const out = new Float32Array(n);
  const release = 1 - Math.exp(-1 / (RELEASE_SEC * sampleRate));
  let sum = 0;
  for (let j = -look; j <= look; j++) sum += at(j);
  let held = gain;
  for (let i = 0; i < n; i++) {
    if (i > 0) sum += at(i + look) - at(i - look - 1);
    const eased = sum / (2 * look + 1);
    held = i === 0 ? eased : Math.min(eased, held + (gain - held) * release);
    out[i] = held;
  }
  return out;
}

/** The least of `values` within `radius` of each index (a monotonic queue: linear time). */
function slidingMin(values: Float32Array, radius: number): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const queue: number[] = [];
  let head = 0;
  for (let i = 0; i < n + radius; i++) {
    if (i < n) {
      while (
        queue.length > head &&
        (values[queue[queue.length - 1] as number] as number) >= (values[i] as number)
      )
        queue.pop();
      queue.push(i);
    }
    const centre = i - radius;
    if (centre < 0) continue;
    while ((queue[head] as number) < centre - radius) head++;
    out[centre] = values[queue[head] as number] as number;
  }
  return out;
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
