import { describe, expect, it } from 'vitest';
import { normalizePcm, silence, speechLevelDbfs, TARGET_DBFS } from '../../src/audio/loudness.js';

function tone(amplitude: number, samples = 16000): Buffer {
  const b = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(amplitude * Math.sin(i / 5)), i * 2);
  return b;
}

describe('loudness', () => {
  it('brings quiet and loud speech to the same level', () => {
    const quiet = normalizePcm(tone(800));
    const loud = normalizePcm(tone(20000));
    expect(Math.abs(speechLevelDbfs(quiet) - TARGET_DBFS)).toBeLessThan(1.5);
    expect(Math.abs(speechLevelDbfs(loud) - TARGET_DBFS)).toBeLessThan(1.5);
    expect(Math.abs(speechLevelDbfs(quiet) - speechLevelDbfs(loud))).toBeLessThan(1);
    expect(speechLevelDbfs(tone(800)) - speechLevelDbfs(tone(20000))).toBeLessThan(-25); // before: 28 dB apart
  });

  it('never clips: peaks stay below full scale', () => {
    const spiky = tone(300);
    spiky.writeInt16LE(30000, 200); // one loud click in quiet speech
    const out = normalizePcm(spiky);
    let peak = 0;
    for (let i = 0; i < out.length; i += 2) peak = Math.max(peak, Math.abs(out.readInt16LE(i)));
    expect(peak).toBeLessThan(32767);
  });

  it('leaves silence silent', () => {
    const quiet = silence({ sampleRate: 16000, channels: 1 }, 0.5);
    expect(quiet.length).toBe(16000);
    expect(normalizePcm(quiet).equals(quiet)).toBe(true);
  });
});
