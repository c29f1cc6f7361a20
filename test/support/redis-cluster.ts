import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './processes.js';
import { tempDir } from './services.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** One node's address: what REDIS_URL names (the client finds the others). */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` nodes (no replicas) on free ports: each a
 * `redis-server --cluster-enabled yes` of its own, joined by `redis-cli --cluster create`.
 * Nothing is kept on disk beyond the test's temp folder, which stop() removes.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = await tempDir('bookflow-cluster-');
  const ports: number[] = [];
  const servers: ChildProcess[] = [];
  const stop = async () => {
    for (const s of servers) s.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      ports.push(port);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`);
      args.push('--save', '', '--appendonly', 'no');
      servers.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (const port of ports) await untilPong(port);
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await untilClusterOk(ports[0] as number);
    return { url: `redis://127.0.0.1:${ports[0]}`, ports, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function untilPong(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const pong = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => undefined);
    if (pong?.stdout.trim() === 'PONG') return;
    await sleep(100);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

async function untilClusterOk(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    if (/cluster_state:ok/.test(stdout)) return;
    await sleep(100);
  }
  throw new Error('the Redis Cluster did not come up');
}
