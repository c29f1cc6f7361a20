import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { REPO } from './fixtures.js';

const TSX = createRequire(import.meta.url).resolve('tsx');

/** Configuration variables a test process must never inherit from the developer's shell. */
const CONFIG_VARS: readonly string[] = CONFIG_VARIABLES;

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs one of the service's entry points (src/api.ts, src/worker.ts, src/start.ts) as a real process. */
export async function startService(
  entry: 'api' | 'worker' | 'start',
  env: Record<string, string>,
  opts: { cwd?: string; readyLine?: RegExp; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !CONFIG_VARS.includes(k)),
  );
  const child = spawn(process.execPath, ['--import', TSX, path.join(REPO, 'src', `${entry}.ts`)], {
    cwd: opts.cwd ?? REPO,
    env: { ...clean, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (c: Buffer) => {
    out += c.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const ready = opts.readyLine ?? (entry === 'worker' ? /starting workers/ : /Server listening/);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} did not start:\n${out}`)),
      opts.timeoutMs ?? 60_000,
    );
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Resolves with the process's exit code (null when a signal ended it), or rejects after `ms`. */
export function exited(p: ServiceProcess, ms: number): Promise<number | null> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export { freePort } from '../../src/net.js';
