import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A redis-server of the test's own, with AOF on, that can be stopped and started again. */
export async function startRedis(dir: string, port: number): Promise<ChildProcess> {
  // AOF on, synced on every write: what a restart must not lose.
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''].concat([
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ]),
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => {}); // refused until the server is up
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return server;
    } catch {
      probe.disconnect();
      await sleep(100);
    }
  }
  throw new Error('redis-server did not start');
}
