import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import {
  createDeployment,
  type Deployment,
  said,
  syntheses,
  toneTts,
  writeTone,
} from '../support/deployment.js';
import { openEventStream } from '../support/event-stream.js';
import { uploadMadeBook } from '../support/made-books.js';
import { ffprobe } from '../support/probe.js';
import { freePort } from '../support/processes.js';
import { startRedis } from '../support/redis-server.js';
import { tempDir } from '../support/services.js';

const CHAPTERS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilSomeDone(d: Deployment, id: string): Promise<void> {
  for (;;) {
    const { body } = await d.api.get(id);
    const done = body.chapters.filter((c) => c.status === 'DONE').length;
    if (done > 0 && done < CHAPTERS) return;
    if (done === CHAPTERS) throw new Error('the book finished before the fault could be caused');
    await sleep(100);
  }
}

describe('Redis restarting mid-flow', () => {
  let d: Deployment;
  let redis: ChildProcess | undefined;
  let redisDir: string;
  let port: number;

  beforeAll(async () => {
    redisDir = await tempDir('bookflow-redis-');
    port = await freePort();
    redis = await startRedis(redisDir, port);
    d = await createDeployment({
      redisUrl: `redis://127.0.0.1:${port}`,
      env: (dir) => ({ ...toneTts(dir, 0.7), TTS_CONCURRENCY: '2' }),
    });
    await writeTone(d.dir);
    await d.start('api');
    await d.start('worker');
  });

  afterAll(async () => {
    await d?.stop();
    redis?.kill('SIGKILL');
    await fs.rm(redisDir, { recursive: true, force: true });
  });

  it('completes the book after Redis stops and starts again', async () => {
    const id = await uploadMadeBook(d, 'Redis', CHAPTERS);
    await untilSomeDone(d, id);
    redis?.kill('SIGTERM');
    await once(redis as ChildProcess, 'exit');
    await sleep(3000);
    // Status lives in PostgreSQL: users still get answers while the queues are away.
    expect((await d.api.get(id)).status).toBe(200);
    redis = await startRedis(redisDir, port);

    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    expect(book.status).toBe('READY');
    expect(book.chapters.every((c) => c.status === 'DONE')).toBe(true);
    const probe = await ffprobe(path.join(d.dir, 'objects', 'books', id, 'audiobook.m4b'));
    expect(probe.chapters).toHaveLength(CHAPTERS);
  });
});

describe('PostgreSQL unavailable for a while', () => {
  let d: Deployment;
  let pgDir: string;
  let pg: EmbeddedDatabase;
  let pgPort: number;

  beforeAll(async () => {
    pgDir = await tempDir('bookflow-pg-');
    pgPort = await freePort();
    pg = await startEmbeddedPostgres(path.join(pgDir, 'data'), () => {}, { port: pgPort });
    d = await createDeployment({
      databaseUrl: pg.url,
      env: (dir) => ({ ...toneTts(dir, 0.7), TTS_CONCURRENCY: '2' }),
    });
    await writeTone(d.dir);
    await d.start('api');
  });

  afterAll(async () => {
    await d?.stop();
    await pg?.stop();
    await fs.rm(pgDir, { recursive: true, force: true });
  });

  it('says so on /ready, and loses no transition once it is back', async () => {
    const worker = await d.start('worker');
    const id = await uploadMadeBook(d, 'Outage', CHAPTERS);
    await untilSomeDone(d, id);
    const events = openEventStream(`${d.api.base}/books/${id}/events`);
    await events.waitFor((e) => e.type === 'ready');
    await pg.stop();
    await sleep(1500); // past the status cache (answers may be up to about a second old)

    const ready = await d.api.raw('/ready');
    expect(ready.status).toBe(503);
    const checks = ((await ready.json()) as { checks: Record<string, string> }).checks;
    expect(checks.database).toMatch(/^unavailable/);
    expect(checks.queues).toBe('ok');
    const status = await d.api.raw(`/books/${id}`);
    expect(status.status).toBe(503);
    expect(((await status.json()) as { message: string }).message).toMatch(/database/);

    // Chapters keep finishing meanwhile; their status writes wait for the database.
    await sleep(5000);
    expect(worker.output()).toMatch(/database unavailable; retrying/);
    pg = await startEmbeddedPostgres(path.join(pgDir, 'data'), () => {}, { port: pgPort });

    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    expect(book.status).toBe('READY');
    expect((await d.api.raw('/ready')).status).toBe(200);
    // The book's stream outlived the outage and was told the end.
    await events.waitFor((e) => e.type === 'book' && e.data.status === 'READY', 10_000);
    events.close();
    // No transition lost, no chapter failed or redone.
    expect(book.chapters.every((c) => c.status === 'DONE' && c.attempts === 1)).toBe(true);
    const done = await syntheses(d.dir);
    for (let n = 1; n <= CHAPTERS; n++) expect(done.get(said(`Outage chapter ${n}`))).toBe(1);
  });
});
