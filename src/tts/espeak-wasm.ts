import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type EspeakModule = {
  FS: { writeFile(p: string, d: string): void; readFile(p: string): Uint8Array };
};
type EspeakFactory = (opts: Record<string, unknown>) => Promise<EspeakModule>;

const require = createRequire(import.meta.url);
const entry = require.resolve('espeak-ng');
// Compile the 18 MB module once; each run gets a fresh instance (its main() runs once).
const compiled = WebAssembly.compile(readFileSync(entry.replace(/\.js$/, '.wasm')));
const factory = import(entry).then((m: { default: EspeakFactory }) => m.default);

/**
 * One run of the WASM espeak-ng that npm ships, as its command line would be run, with
 * `text` in `/input.txt`: answers the instance (to read what it wrote) and what it printed.
 */
export async function runEspeakWasm(
  args: string[],
  text: string,
): Promise<{ files: EspeakModule['FS']; out: string[]; errors: string[] }> {
  const [ESpeakNG, wasm] = await Promise.all([factory, compiled]);
  const out: string[] = [];
  const errors: string[] = [];
  const mod = await ESpeakNG({
    instantiateWasm: (
      imports: WebAssembly.Imports,
      ok: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) => {
      void WebAssembly.instantiate(wasm, imports).then((instance) => ok(instance, wasm));
      return {};
    },
    arguments: [...args, '-f', '/input.txt'],
    preRun: [(m: EspeakModule) => m.FS.writeFile('/input.txt', text)],
    print: (line: string) => out.push(line),
    printErr: (line: string) => errors.push(line),
  });
  return { files: mod.FS, out, errors };
}
