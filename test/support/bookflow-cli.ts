import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './fixtures.js';

/** The command as npm installs it (`npx bookflow`). */
export const BIN = path.join(REPO, 'src', 'cli', 'bookflow.mjs');

/** Runs `bookflow …` as a user would, in its own process; answers its exit code and output. */
export async function bookflow(args: string[], env: Record<string, string>, cwd: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
