import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/http-errors.js';
import { parseRange } from '../../src/http/range.js';
import { parseWav, toWav } from '../../src/tts/wav.js';

function wav(rate: number, channels: number, samples: number[], dataSize?: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (const [i, s] of samples.entries()) data.writeInt16LE(s, i * 2);
  const file = toWav({ sampleRate: rate, channels, data });
  if (dataSize !== undefined) file.writeUInt32LE(dataSize, 40);
  return file;
}

describe('WAV parsing', () => {
  it('reads format and samples', () => {
    const pcm = parseWav(wav(22050, 1, [1, -2, 3]));
    expect(pcm).toMatchObject({ sampleRate: 22050, channels: 1 });
    expect(pcm.data.length).toBe(6);
    expect(pcm.data.readInt16LE(2)).toBe(-2);
  });

  it('reads a streamed WAV whose data length is unset', () => {
    expect(parseWav(wav(16000, 2, [5, 6, 7, 8], 0xffffffff)).data.length).toBe(8);
  });

  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => parseWav(Buffer.from('hello world, not a wav'))).toThrow(/not a WAV/);
  });
});

describe('HTTP ranges', () => {
  it.each([
    [undefined, undefined],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=0-1,5-6', undefined],
  ])('%s of 1000 bytes → %o', (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it('answers 416 for a range past the end', () => {
    expect(() => parseRange('bytes=1000-', 1000)).toThrow(HttpError);
  });
});
