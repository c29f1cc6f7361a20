import fs from 'node:fs';
import path from 'node:path';

/**
 * The voices installed under DATA_DIR/voices, laid out so the engines read them as they are:
 * `piper/<name>/<name>.onnx` with its `.onnx.json` and MODEL_CARD (PIPER_VOICES' default),
 * `kokoro/` as Kokoro's Hugging Face repository (KOKORO_DIR's default).
 */
export const voicesDir = (dataDir: string) => path.join(dataDir, 'voices');
export const kokoroDir = (voices: string) => path.join(voices, 'kokoro');

/** The Piper voice models installed (each `.onnx` with its config beside it). */
export function installedPiperModels(voices: string): string[] {
  const root = path.join(voices, 'piper');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort()
    .map((name) => path.join(root, name, `${name}.onnx`))
    .filter((model) => fs.existsSync(model) && fs.existsSync(`${model}.json`));
}

/** The voices of a Kokoro install (`<root>/voices/<id>.bin`), by id, in order. */
export function kokoroVoiceIds(root: string): string[] {
  const folder = path.join(root, 'voices');
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => f.slice(0, -'.bin'.length));
}
