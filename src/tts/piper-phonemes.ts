import { phonemize } from 'phonemizer';
import type { PiperVoice } from './piper-voice.js';

/**
 * Text → phoneme ids, as Piper makes them (piper1-gpl's phonemize_espeak and
 * phoneme_ids): espeak-ng phonemes (IPA) per clause, the clause's terminator
 * kept as a phoneme (a space after , : ;), decomposed into code points (NFD),
 * grouped by sentence; each sentence's ids are BOS, then every phoneme's id
 * followed by PAD, then EOS. Phonemes the voice does not know are skipped.
 */

export const BOS = '^';
export const EOS = '$';
export const PAD = '_';

/** One clause of text and what ends it, as espeak-ng splits text. */
export interface Clause {
  text: string;
  terminator: '' | '.' | '?' | '!' | ',' | ':' | ';';
  endOfSentence: boolean;
}

/** Splits text where espeak-ng ends clauses: . ? ! end a sentence; , : ; a clause. */
export function splitClauses(text: string): Clause[] {
  const clauses: Clause[] = [];
  const re = /([^.?!,:;]*)([.?!,:;]+|$)/g;
  for (let m = re.exec(text); m && m[0] !== ''; m = re.exec(text)) {
    const body = (m[1] ?? '').trim();
    const mark = (m[2] ?? '').trim();
    const terminator = (
      mark.includes('?') ? '?' : mark.includes('!') ? '!' : (mark[0] ?? '')
    ) as Clause['terminator'];
    if (!body) continue;
    clauses.push({
      text: body,
      terminator,
      endOfSentence: terminator === '' || '.?!'.includes(terminator),
    });
  }
  return clauses;
}

const VOWELS = 'aeiouyɐɑɒæɛɪɔʊʌəɜɚɝɨʉɵøœɞɤɯ';
const WORD_END_GLIDE = new RegExp(`(?<![aeɔo])(iː|i|ɪ)(?= [ˈˌ]?[${VOWELS}])`, 'g');
const STRESSED_GLIDE = new RegExp(`(?<![aeɔo])ɪ(?=[ˈˌ][${VOWELS}])`, 'g');

/**
 * The espeak-ng that npm ships (in `phonemizer`) is older than the one in
 * Piper's own package, whose English data adds a glide after an /i/ sound
 * before a vowel ("biː ɪn" → "biːʲ ɪn") and says "or" as ɔːɹ. Applied to one
 * clause's phonemes, this gives Piper's ids for most sentences (44 of 54 of a
 * Pride and Prejudice chapter; "Lydia"-like words inside one word still differ).
 */
export function adaptToPiperEspeak(phonemes: string): string {
  return phonemes
    .replace(WORD_END_GLIDE, '$1ʲ')
    .replace(/(iː|i)(?=ɪ)/g, '$1ʲ')
    .replace(STRESSED_GLIDE, 'ɪʲ')
    .replace(/oːɹ/g, 'ɔːɹ');
}

/** A sentence's phonemes from its clauses' espeak-ng phonemes (one string per clause). */
export function sentencePhonemes(
  clauses: { phonemes: string; terminator: Clause['terminator'] }[],
): string[] {
  const out: string[] = [];
  for (const c of clauses) {
    // Language switch marks like "(fr)" surround foreign words; Piper drops them.
    let s = c.phonemes.replace(/\([^)]+\)/g, '') + c.terminator;
    if (c.terminator === ',' || c.terminator === ':' || c.terminator === ';') s += ' ';
    out.push(...s.normalize('NFD'));
  }
  return out;
}

export function phonemesToIds(phonemes: string[], idMap: Record<string, number[]>): number[] {
  const pad = idMap[PAD] ?? [];
  const ids = [...(idMap[BOS] ?? []), ...pad];
  for (const p of phonemes) {
    const id = idMap[p];
    if (!id) continue;
    ids.push(...id, ...pad);
  }
  ids.push(...(idMap[EOS] ?? []));
  return ids;
}

/** The sentences of `text` as phoneme id sequences, as Piper makes them (espeak-ng in WASM). */
export async function sentenceIds(
  text: string,
  voice: Pick<PiperVoice, 'espeakVoice' | 'phonemeIdMap'>,
): Promise<number[][]> {
  const sentences: number[][] = [];
  let clauses: {
    phonemes: string;
    terminator: ReturnType<typeof splitClauses>[number]['terminator'];
  }[] = [];
  for (const clause of splitClauses(text)) {
    const raw = (await phonemize(clause.text, voice.espeakVoice)).join(' ');
    const phonemes = voice.espeakVoice.startsWith('en') ? adaptToPiperEspeak(raw) : raw;
    clauses.push({ phonemes, terminator: clause.terminator });
    if (clause.endOfSentence) {
      sentences.push(phonemesToIds(sentencePhonemes(clauses), voice.phonemeIdMap));
      clauses = [];
    }
  }
  if (clauses.length > 0)
    sentences.push(phonemesToIds(sentencePhonemes(clauses), voice.phonemeIdMap));
  return sentences;
}
