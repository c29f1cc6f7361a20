import { phonemize } from 'phonemizer';
import { runEspeakWasm } from './espeak-wasm.js';

/**
 * Text → Kokoro tokens, as the `kokoro-onnx` package makes them: espeak-ng phonemes (IPA,
 * with stress) of the text between punctuation marks, the marks kept where they stood
 * (phonemizer's `preserve_punctuation`), whitespace collapsed, every symbol outside the
 * model's vocabulary dropped; a text longer than the model's context is cut at sentence
 * marks, then clause marks, then spaces.
 */

/** Phonemizer's punctuation marks: kept as they are, between the phonemes of the text. */
const MARKS = /(?:\s*[;:,.!?¡¿—…"«»“”(){}[\]]+\s*)+/g;
/** The model's context, in tokens (kokoro-onnx MAX_PHONEME_LENGTH). */
export const MAX_TOKENS = 510;

/**
 * espeak-ng's phonemes for one piece of text. English through the espeak-ng build that
 * `phonemizer` keeps loaded (fast: Kokoro's English voices are most of its use); other
 * languages through the whole espeak-ng (espeak-wasm.ts: an instance a run).
 */
async function espeakPhonemes(text: string, espeakVoice: string): Promise<string> {
  const lines = espeakVoice.startsWith('en')
    ? await phonemize(text, espeakVoice)
    : (await runEspeakWasm(['-q', '--ipa', '-v', espeakVoice], text)).out;
  // Language switch marks like "(en)" surround foreign words; said aloud they are noise.
  return lines.join(' ').replace(/\([a-z-]+\)/g, '');
}

/** The text's phonemes, punctuation kept in place, as one string. */
export async function kokoroPhonemes(text: string, espeakVoice: string): Promise<string> {
  let out = '';
  let at = 0;
  for (const mark of [...text.matchAll(MARKS), null]) {
    const piece = text.slice(at, mark?.index ?? text.length).trim();
    if (piece) out += await espeakPhonemes(piece, espeakVoice);
    if (!mark) break;
    out += mark[0].replace(/\s+/g, ' ');
    at = (mark.index ?? 0) + mark[0].length;
  }
  return out.split(/\s+/).filter(Boolean).join(' ');
}

/** Phonemes as the model's tokens, symbols it does not know dropped. */
export const toTokens = (phonemes: string, vocab: Record<string, number>): number[] =>
  [...phonemes].flatMap((p) => (vocab[p] === undefined ? [] : [vocab[p] as number]));

const CUTS = [/(?<=[.!?…])\s+/, /(?<=[,;:])\s+/, /\s+/];

/**
 * Phonemes cut into pieces of at most `max` symbols at the least disruptive places: after a
 * sentence, after a clause, between words, and only then inside a word. Consecutive pieces
 * are packed together while they fit, as the model reads a whole context best.
 */
export function batches(phonemes: string, max = MAX_TOKENS, level = 0): string[] {
  if (phonemes.length <= max) return phonemes ? [phonemes] : [];
  const cut = CUTS.slice(level).find((re) => phonemes.split(re).length > 1);
  if (!cut) return phonemes.match(new RegExp(`[^]{1,${max}}`, 'g')) ?? [];
  const atoms = phonemes.split(cut).flatMap((p) => batches(p.trim(), max, CUTS.indexOf(cut) + 1));
  const packed: string[] = [];
  for (const atom of atoms) {
    const last = packed.at(-1);
    if (last !== undefined && last.length + 1 + atom.length <= max)
      packed[packed.length - 1] = `${last} ${atom}`;
    else packed.push(atom);
  }
  return packed;
}
