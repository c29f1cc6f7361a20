import fs from 'node:fs';
import path from 'node:path';
import { primaryLanguage } from '../text/speech-text.js';
import { kokoroVoiceIds } from './voice-folders.js';

/**
 * A Kokoro-82M install, laid out as its Hugging Face repository
 * (onnx-community/Kokoro-82M-v1.0-ONNX): `onnx/model_quantized.onnx` (or `onnx/model.onnx`),
 * `tokenizer.json` (the phoneme vocabulary) and `voices/<id>.bin`, each voice a style table
 * of raw little-endian float32, 510 rows of 256 (a row per phoneme count).
 */
export interface KokoroModel {
  modelPath: string;
  vocab: Record<string, number>;
  voices: KokoroVoice[];
}

export interface KokoroVoice {
  /** The file name without `.bin` (`af_heart`, `jf_alpha`). */
  id: string;
  path: string;
  /** Primary language subtag, for picking a voice by a book's language. */
  language: string;
  /** The espeak-ng voice that makes its phonemes, as kokoro-onnx uses them. */
  espeakVoice: string;
}

export const STYLE_SIZE = 256;
/** Kokoro speaks at 24 kHz. */
export const KOKORO_RATE = 24_000;
export const MODEL_FILES = ['onnx/model_quantized.onnx', 'onnx/model.onnx'];

/**
 * Kokoro names a voice by its language first (VOICES.md of hexgrad/Kokoro-82M): `af_heart` is
 * American English, female. The espeak-ng voice each language is phonemized with.
 */
const LANGUAGES: Record<string, { language: string; espeakVoice: string }> = {
  a: { language: 'en', espeakVoice: 'en-us' },
  b: { language: 'en', espeakVoice: 'en-gb' },
  e: { language: 'es', espeakVoice: 'es' },
  f: { language: 'fr', espeakVoice: 'fr-fr' },
  h: { language: 'hi', espeakVoice: 'hi' },
  i: { language: 'it', espeakVoice: 'it' },
  j: { language: 'ja', espeakVoice: 'ja' },
  p: { language: 'pt', espeakVoice: 'pt-br' },
  z: { language: 'zh', espeakVoice: 'cmn' },
};

/** What a voice id says of its language, or undefined for an id Kokoro would not give. */
export const kokoroLanguage = (id: string) => LANGUAGES[id[0] ?? ''];

/**
 * The espeak-ng voice that phonemizes a book for a voice: the voice's own where the book is in
 * its language, else the book's language (a Japanese voice reading English says English words).
 */
export function phonemesFor(voice: KokoroVoice, bookLanguage: string): string {
  const language = primaryLanguage(bookLanguage);
  if (!language || language === voice.language) return voice.espeakVoice;
  return Object.values(LANGUAGES).find((l) => l.language === language)?.espeakVoice ?? language;
}

/**
 * Reads a Kokoro install: its model, vocabulary and every voice file. Anything missing or
 * unreadable is an error that names the file, so start-up stops with it.
 */
export function loadKokoro(dir: string): KokoroModel {
  const model = MODEL_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!model) throw new Error(`no Kokoro model in ${dir} (${MODEL_FILES.join(' or ')})`);
  const tokenizer = path.join(dir, 'tokenizer.json');
  let vocab: Record<string, number> | undefined;
  try {
    const parsed = JSON.parse(fs.readFileSync(tokenizer, 'utf8'));
    vocab = parsed.model?.vocab ?? parsed.vocab;
  } catch (err) {
    throw new Error(`the Kokoro vocabulary ${tokenizer} is unreadable: ${(err as Error).message}`);
  }
  if (!vocab || Object.keys(vocab).length === 0)
    throw new Error(`the Kokoro vocabulary ${tokenizer} lists no phonemes`);
  const voiceDir = path.join(dir, 'voices');
  const voices: KokoroVoice[] = [];
  for (const id of kokoroVoiceIds(dir)) {
    const file = path.join(voiceDir, `${id}.bin`);
    const lang = kokoroLanguage(id);
    const size = fs.statSync(file).size;
    if (!lang) throw new Error(`the Kokoro voice ${id}.bin does not name a language Kokoro speaks`);
    if (size === 0 || size % (STYLE_SIZE * 4) !== 0)
      throw new Error(`the Kokoro voice ${id}.bin is not a style table (${size} bytes)`);
    voices.push({ id, path: file, ...lang });
  }
  if (voices.length === 0) throw new Error(`no Kokoro voices in ${voiceDir}`);
  return { modelPath: model, vocab, voices };
}
