/**
 * Runs the WASM build of espeak-ng that npm ships, in a child process so that
 * synthesis never blocks a worker's event loop (BullMQ renews locks from it).
 *
 * Protocol: one JSON request per stdin line, `{"text": "...", "voice": "en", "wpm": 175}`;
 * for each, stdout gets a 4-byte little-endian length and then a WAV file of
 * that length. A failed request writes length 0 and a line on stderr.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import readline from 'node:readline';

type EspeakModule = {
  FS: { writeFile(p: string, d: string): void; readFile(p: string): Uint8Array };
};
type EspeakFactory = (opts: Record<string, unknown>) => Promise<EspeakModule>;

const require = createRequire(import.meta.url);
const entry = require.resolve('espeak-ng');
// Compile the 18 MB module once; each request gets a fresh instance (its main() runs once).
const compiled = WebAssembly.compile(readFileSync(entry.replace(/\.js$/, '.wasm')));
const factory = import(entry).then((m: { default: EspeakFactory }) => m.default);

async function synthesize(text: string, voice: string, wpm: number): Promise<Uint8Array> {
  const [ESpeakNG, wasm] = await Promise.all([factory, compiled]);
  const errors: string[] = [];
  const mod = await ESpeakNG({
    instantiateWasm: (
      imports: WebAssembly.Imports,
      ok: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) => {
      void WebAssembly.instantiate(wasm, imports).then((instance) => ok(instance, wasm));
      return {};
    },
    arguments: ['-v', voice, '-s', String(wpm), '-f', '/input.txt', '-w', '/output.wav'],
    preRun: [(m: EspeakModule) => m.FS.writeFile('/input.txt', text)],
    print: () => {},
    printErr: (line: string) => errors.push(line),
  });
  try {
    return mod.FS.readFile('/output.wav');
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
