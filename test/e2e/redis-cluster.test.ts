import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment, toneTts, writeTone } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { uploadMadeBook } from '../support/made-books.js';
import { ffprobe } from '../support/probe.js';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster.js';

const run = promisify(execFile);

/**
 * The distributed service (an API and two workers, real processes) on a real 3-master
 * Redis Cluster: REDIS_CLUSTER=true makes the queue prefix a hash tag, so each flow's
 * keys share a slot, as BullMQ's multi-key scripts need.
 */
describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let d: Deployment;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    d = await createDeployment({
      redis: false,
      env: (dir) => ({
        ...toneTts(dir),
        REDIS_URL: cluster.url,
        REDIS_CLUSTER: 'true',
        TTS_CONCURRENCY: '2',
      }),
    });
    await writeTone(d.dir);
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
  });

  afterAll(async () => {
    await d?.stop();
    await cluster?.stop();
  });

  it('turns books into audiobooks, with every queue key in one hash slot', async () => {
    const made = await uploadMadeBook(d, 'Cluster', 12);
    const { body } = await d.api.upload(fixture('idpf-wasteland.epub'));
    for (const id of [made, body.id]) {
      const book = await d.api.waitFor(id, ['READY', 'FAILED'], 180_000);
      expect(book.status, book.error ?? '').toBe('READY');
      const probe = await ffprobe(path.join(d.dir, 'objects', 'books', id, 'audiobook.m4b'));
      const spoken = book.chapters.filter((c) => c.status !== 'SKIPPED');
      expect(probe.chapters).toHaveLength(spoken.length);
    }
    // The queues' keys: all under `{<prefix>}`, so all on the one node serving that slot.
    const keysPerNode = await Promise.all(
      cluster.ports.map(async (port) => {
        const args = ['-p', String(port), '--scan', '--pattern', `{${d.prefix}}:*`];
        return (await run('redis-cli', args)).stdout.split('\n').filter(Boolean).length;
      }),
    );
    expect(keysPerNode.filter((n) => n > 0)).toHaveLength(1);
  });

  it('reports the cluster ready', async () => {
    const ready = await d.api.raw('/ready');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.queues).toBe('ok');
  });
});
