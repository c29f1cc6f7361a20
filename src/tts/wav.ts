/** Raw 16-bit PCM and its format, as speech engines hand it over. */
export interface Pcm {
  sampleRate: number;
  channels: number;
  data: Buffer;
}

/**
 * Reads a 16-bit PCM WAV file. Streaming writers (espeak-ng --stdout) leave the
 * data length unset, so the data chunk runs to the end of the buffer.
 */
export function parseWav(buf: Buffer): Pcm {
  if (
    buf.length < 12 ||
    buf.toString('ascii', 0, 4) !== 'RIFF' ||
    buf.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new Error('speech engine output is not a WAV file');
  }
  let offset = 12;
  let format: { sampleRate: number; channels: number } | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const encoding = buf.readUInt16LE(body);
      const bits = buf.readUInt16LE(body + 14);
      if (encoding !== 1 || bits !== 16) throw new Error('speech engine output is not 16-bit PCM');
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4) };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its format chunk');
      const end = size === 0xffffffff || body + size > buf.length ? buf.length : body + size;
      return { ...format, data: buf.subarray(body, end) };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}

/** Writes 16-bit PCM as a WAV file (the inverse of parseWav). */
export function toWav(pcm: Pcm): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + pcm.data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(pcm.channels, 22);
  h.writeUInt32LE(pcm.sampleRate, 24);
  h.writeUInt32LE(pcm.sampleRate * pcm.channels * 2, 28);
  h.writeUInt16LE(pcm.channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(pcm.data.length, 40);
  return Buffer.concat([h, pcm.data]);
}
