import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './fixtures.js';

const SCRIPT = path.join(REPO, 'test/fixtures/wav_compare.py');
const run = promisify(execFile);

export interface WavComparison {
  rate_a: number;
  rate_b: number;
  seconds_a: number;
  seconds_b: number;
  logmel_corr: number;
  rms_a: number;
  rms_b: number;
}

export async function compareWavs(a: string, b: string): Promise<WavComparison> {
  return JSON.parse((await run('python3', [SCRIPT, a, b])).stdout);
}
