import fs from 'node:fs';
import path from 'node:path';

/** What bookflow reads from a Piper voice's `.onnx.json` (Piper's own config format). */
export interface PiperVoice {
  /** The voice's file name without `.onnx`, as uploads name it (`en_US-joe-medium`). */
  id: string;
  modelPath: string;
  sampleRate: number;
  /** espeak-ng voice that makes its phonemes (`en-us`). */
  espeakVoice: string;
  /** Primary language subtag, for picking a voice by a book's language. */
  language: string | null;
  phonemeIdMap: Record<string, number[]>;
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
  numSpeakers: number;
}

interface PiperConfigFile {
  audio?: { sample_rate?: number };
  espeak?: { voice?: string };
  language?: { family?: string };
  inference?: { noise_scale?: number; length_scale?: number; noise_w?: number };
  phoneme_type?: string;
  phoneme_id_map?: Record<string, number[]>;
  num_speakers?: number;
}

/**
 * Reads a Piper voice (`x.onnx` with `x.onnx.json` beside it). A missing or
 * unreadable file, or a config Piper itself could not use, is an error that
 * names the file, so start-up stops with it.
 */
export function loadPiperVoice(modelPath: string): PiperVoice {
  const configPath = `${modelPath}.json`;
  for (const file of [modelPath, configPath]) {
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new Error(`the Piper voice file ${file} is missing or unreadable`);
    }
  }
  let config: PiperConfigFile;
  try {
    config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as PiperConfigFile;
  } catch (err) {
    throw new Error(`the Piper voice config ${configPath} is not JSON: ${(err as Error).message}`);
  }
  const map = config.phoneme_id_map;
  const espeakVoice = config.espeak?.voice;
  const sampleRate = config.audio?.sample_rate;
  if (!map?._ || !map['^'] || !map.$ || !espeakVoice || !sampleRate) {
    throw new Error(
      `the Piper voice config ${configPath} lacks its sample rate, espeak voice or phoneme id map`,
    );
  }
  if (config.phoneme_type && config.phoneme_type !== 'espeak') {
    throw new Error(
      `the Piper voice ${modelPath} uses ${config.phoneme_type} phonemes; only espeak voices are supported`,
    );
  }
  return {
    id: path.basename(modelPath).replace(/\.onnx$/, ''),
    modelPath,
    sampleRate,
    espeakVoice,
    language: (config.language?.family ?? espeakVoice.split('-')[0] ?? '').toLowerCase() || null,
    phonemeIdMap: map,
    noiseScale: config.inference?.noise_scale ?? 0.667,
    lengthScale: config.inference?.length_scale ?? 1,
    noiseW: config.inference?.noise_w ?? 0.8,
    numSpeakers: config.num_speakers ?? 1,
  };
}
