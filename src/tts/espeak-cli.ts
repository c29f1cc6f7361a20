/**
 * Runs the WASM build of espeak-ng that npm ships, in a child process so that
 * synthesis never blocks a worker's event loop (BullMQ renews locks from it).
 *
 * Protocol: one JSON request per stdin line, `{"text": "...", "voice": "en", "wpm": 175}`;
 * for each, stdout gets a 4-byte little-endian length and then a WAV file of
 * that length. A failed request writes length 0 and a line on stderr.
 */
import readline from 'node:readline';
import { runEspeakWasm } from './espeak-wasm.js';

async function synthesize(text: string, voice: string, wpm: number): Promise<Uint8Array> {
  const args = ['-v', voice, '-s', String(wpm), '-w', '/output.wav'];
  const { files, errors } = await runEspeakWasm(args, text);
  try {
    return files.readFile('/output.wav');
  } catch {
    const why = errors.find((e) => e.startsWith('Error')) ?? errors[0] ?? 'unknown error';
    throw new Error(`espeak-ng produced no audio: ${why.split(' program exited')[0]}`);
  }
}

function write(buf: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(buf, (err) => (err ? reject(err) : resolve())),
  );
}

async function main(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const header = Buffer.alloc(4);
    try {
      const {
        text,
        voice,
        wpm = 175,
      } = JSON.parse(line) as { text: string; voice: string; wpm?: number };
      // A language espeak-ng has no voice for is still read, in its default voice.
      const wav = await synthesize(text, voice, wpm).catch((err: Error) => {
        if (voice === 'en' || !/voice does not exist/.test(err.message)) throw err;
        return synthesize(text, 'en', wpm);
      });
      header.writeUInt32LE(wav.length);
      await write(header);
      await write(wav);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      await write(header);
    }
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
