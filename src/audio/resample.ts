import libsamplerate from '@alexanderolsen/libsamplerate-js';

// A CommonJS build: its names are on the default export.
const { ConverterType, create } = libsamplerate;

import type { Pcm } from '../tts/wav.js';

/**
 * One chapter read by two voices of different engines (a dialogue voice: Piper's 22,050 Hz
 * beside Kokoro's 24,000) is one stream at one rate: the dialogue's audio is brought to the
 * narration's with libsamplerate's sinc converter (a WebAssembly build), where a
 * hand-written interpolation would dull and alias the voice.
 */
export async function resampled(pcm: Pcm, sampleRate: number): Promise<Pcm> {
  if (pcm.sampleRate === sampleRate) return pcm;
  const aligned = pcm.data.byteOffset % 2 === 0 ? pcm.data : Buffer.from(pcm.data);
  const samples = new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1);
  const input = Float32Array.from(samples, (s) => s / 32768);
  const converter = await create(pcm.channels, pcm.sampleRate, sampleRate, {
    converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY,
  });
  try {
    const output = converter.simple(input);
    const data = Buffer.alloc(output.length * 2);
    for (let i = 0; i < output.length; i++)
      data.writeInt16LE(
        Math.max(-32768, Math.min(32767, Math.round((output[i] as number) * 32768))),
        i * 2,
      );
    return { sampleRate, channels: pcm.channels, data };
  } finally {
    converter.destroy();
  }
}
