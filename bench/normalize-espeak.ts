import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseEpubFile } from '../src/epub/epub-parser.js';
import { normalizeForSpeech } from '../src/text/speech-text.js';
import { runEspeakWasm } from '../src/tts/espeak-wasm.js';
import { FIXTURES } from '../test/support/fixtures.js';

/** What espeak-ng would say, as its phoneme mnemonics (`-x`), without making audio. */
async function phonemes(text: string): Promise<string> {
  const { out } = await runEspeakWasm(['-v', 'en', '-q', '-x'], text);
  return out.join(' ').replace(/\s+/g, ' ').trim();
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
