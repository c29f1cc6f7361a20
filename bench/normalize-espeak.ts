import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { normalizeForSpeech } from '../src/text/speech-text.js';
import { FIXTURES } from '../test/support/fixtures.js';

type EspeakModule = { FS: { writeFile(p: string, d: string): void } };
type EspeakFactory = (opts: Record<string, unknown>) => Promise<EspeakModule>;

const require = createRequire(import.meta.url);
const entry = require.resolve('espeak-ng');
const compiled = WebAssembly.compile(readFileSync(entry.replace(/\.js$/, '.wasm')));
const factory = import(entry).then((m: { default: EspeakFactory }) => m.default);

/** What espeak-ng would say, as its phoneme mnemonics (`-x`), without making audio. */
async function phonemes(text: string): Promise<string> {
  const [ESpeakNG, wasm] = await Promise.all([factory, compiled]);
  const out: string[] = [];
  await ESpeakNG({
    instantiateWasm: (
      imports: WebAssembly.Imports,
      ok: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) => {
      void WebAssembly.instantiate(wasm, imports).then((instance) => ok(instance, wasm));
      return {};
    },
    arguments: ['-v', 'en', '-q', '-x', '-f', '/input.txt'],
    preRun: [(m: EspeakModule) => m.FS.writeFile('/input.txt', text)],
    print: (line: string) => out.push(line.trim()),
    printErr: () => {},
  });
  return out.join(' ').replace(/\s+/g, ' ');
}

/** English sentences of the fixtures that the normalization changes. */
async function changedSentences(limit: number): Promise<string[]> {
  const found: string[] = [];
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.epub'))) {
    const book = await parseEpubFile(path.join(FIXTURES, file)).catch(() => undefined);
    if (!book || !/^en/i.test(book.language)) continue;
    for (const c of book.chapters)
      for (const s of c.text.split(/(?<=[.!?])\s+|\n+/))
        if (s.length < 300 && normalizeForSpeech(s, 'en') !== s && found.length < limit)
          found.push(s);
  }
  return found;
}

/**
 * Whether the normalization pass is needed before espeak-ng, which expands some numbers and
 * abbreviations itself: of the fixtures' sentences it changes, how many espeak-ng already
 * says the same way unaided (same phonemes). Neural engines (OpenAI-compatible, Piper) read
 * the raw text far less well, which is why the pass runs before every engine.
 */
export async function benchNormalizeEspeak(): Promise<Record<string, number | string>> {
  const sentences = await changedSentences(300);
  let same = 0;
  const differ: string[] = [];
  for (const s of sentences) {
    const [raw, ours] = await Promise.all([phonemes(s), phonemes(normalizeForSpeech(s, 'en'))]);
    if (raw === ours) same += 1;
    else if (differ.length < 5) differ.push(s.slice(0, 80));
  }
  return {
    sentences: sentences.length,
    espeakAloneSaysTheSame: same,
    differ: sentences.length - same,
    examples: differ.join(' | '),
  };
}
