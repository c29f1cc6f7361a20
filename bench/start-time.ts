import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../test/support/fixtures.js';
import { freePort } from '../test/support/processes.js';
import { median } from './percentile.js';

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * How long a newcomer waits: `bookflow --help` (the CLI's start, median of 5), and `npm start`
 * in an empty folder until the API listens, first (embedded PostgreSQL is made) and again
 * on the same folder.
 */
export async function benchStartTime(): Promise<Record<string, number>> {
  const help: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, [path.join(REPO, 'src/cli/bookflow.mjs'), '--help']);
    if (run.status !== 0) throw new Error(`bookflow --help: ${run.stderr}`);
    help.push((performance.now() - t0) / 1000);
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-start-'));
  try {
    const first = await npmStart(dir);
    const again = await npmStart(dir);
    return { helpSec: round(median(help)), npmStartFirstSec: first, npmStartAgainSec: again };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Seconds from `npm start` to its "Server listening" line; then stops it. */
async function npmStart(dir: string): Promise<number> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => ['PATH', 'HOME', 'TMPDIR', 'LANG'].includes(k)),
  );
  const t0 = performance.now();
  const child = spawn('npm', ['--prefix', REPO, 'start'], {
    cwd: dir,
    env: { ...env, PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const seen = new Promise<number>((resolve, reject) => {
    const look = (c: Buffer) => {
      output += c.toString();
      if (/Server listening/.test(output)) resolve(round((performance.now() - t0) / 1000));
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', () => reject(new Error(`npm start ended:\n${output}`)));
  });
  try {
    return await seen;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
    // npm exits first; the service behind it stops its PostgreSQL, which removes this file.
    const pid = path.join(dir, 'data', 'postgres', 'postmaster.pid');
    for (let i = 0; i < 100 && existsSync(pid); i++) await new Promise((r) => setTimeout(r, 200));
  }
}
