import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeployment,
  type Deployment,
  syntheses,
  toneTts,
  writeTone,
} from '../support/deployment.js';
import { uploadMadeBook } from '../support/made-books.js';
import type { ServiceProcess } from '../support/processes.js';
import { freePort } from '../support/processes.js';
import { startRedis } from '../support/redis-server.js';
import { tempDir } from '../support/services.js';

const BOOKS = 20;
const CHAPTERS = 10;
const WORKERS = 3;

interface Running {
  book_id: string;
  n: number;
  attempts: number;
}

/**
 * 20 books × 10 chapters on three worker processes; every ~15 s a random worker is
 * SIGKILLed and another started in its place, and Redis (AOF on) is restarted once.
 * Every book must end READY, no chapter spoken to completion more than twice, nothing
 * stuck. A kill's recovery is the time until every chapter running at the kill has ended
 * or started again elsewhere (locks of 5 s, checked every 2 s, here).
 */
describe('chaos: workers killed at random, Redis restarted', () => {
  let d: Deployment;
  let redis: ChildProcess | undefined;
  let redisDir: string;
  let sql: postgres.Sql;

  beforeAll(async () => {
    redisDir = await tempDir('bookflow-chaos-redis-');
    const port = await freePort();
    redis = await startRedis(redisDir, port);
    d = await createDeployment({
      redisUrl: `redis://127.0.0.1:${port}`,
      env: (dir) => ({
        ...toneTts(dir, 1),
        TTS_CONCURRENCY: '2',
        HEAVY_LOCK_SECONDS: '5',
        STALL_CHECK_SECONDS: '2',
      }),
    });
    await writeTone(d.dir);
    sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    await d?.stop();
    redis?.kill('SIGKILL');
    await fs.rm(redisDir, { recursive: true, force: true });
  });

  const running = () =>
    sql<Running[]>`select book_id, n, attempts from chapters where status = 'RUNNING'`;

  /** Until each chapter running at the kill has ended or been started again. */
  async function recoveryMs(at: Running[], killedAt: number): Promise<number> {
    for (;;) {
      const now = await running();
      const stuck = at.filter((c) =>
        now.some((r) => r.book_id === c.book_id && r.n === c.n && r.attempts === c.attempts),
      );
      if (stuck.length === 0) return Date.now() - killedAt;
      if (Date.now() - killedAt > 120_000) throw new Error('a killed chapter was never retaken');
      await sleep(250);
    }
  }

  it('ends with every book READY, no chapter spoken more than twice', async () => {
    await d.start('api');
    const workers: ServiceProcess[] = [];
    for (let i = 0; i < WORKERS; i++) workers.push(await d.start('worker'));
    const ids: string[] = [];
    for (let i = 0; i < BOOKS; i++) ids.push(await uploadMadeBook(d, `Chaos${i}`, CHAPTERS));

    const recoveries: number[] = [];
    let redisRestarted = false;
    const unfinished = async () =>
      (
        await sql`select count(*)::int as c from books where id = any(${ids}) and status <> 'READY'`
      )[0]?.c as number;
    const started = Date.now();
    while ((await unfinished()) > 0) {
      // Within the test's own timeout (180 s), so this can fail with its message first.
      expect(Date.now() - started, 'the books did not finish').toBeLessThan(160_000);
      await sleep(12_000 + Math.random() * 6000);
      if ((await unfinished()) === 0) break;
      const victim = Math.floor(Math.random() * workers.length);
      const at = await running();
      (workers[victim] as ServiceProcess).child.kill('SIGKILL');
      const killedAt = Date.now();
      workers[victim] = await d.start('worker');
      if (!redisRestarted) {
        redisRestarted = true;
        redis?.kill('SIGTERM');
        await once(redis as ChildProcess, 'exit');
        redis = await startRedis(redisDir, Number(new URL(d.env.REDIS_URL ?? '').port));
      }
      recoveries.push(await recoveryMs(at, killedAt));
    }

    const books = await sql`select status from books where id = any(${ids})`;
    expect(books.map((b) => b.status)).toEqual(ids.map(() => 'READY'));
    // Each chapter is its title (unique) and its text (the same in every made chapter).
    const counts = [...(await syntheses(d.dir))].filter(([text]) =>
      /^Chaos\d+ chapter [a-z-]+$/.test(text),
    );
    expect(counts).toHaveLength(BOOKS * CHAPTERS);
    const most = Math.max(...counts.map(([, n]) => n));
    console.log(
      `chaos: ${recoveries.length} kills, recoveries ${recoveries.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s; ` +
        `longest ${(Math.max(0, ...recoveries) / 1000).toFixed(1)} s; Redis restarted once; ` +
        `${counts.length} chapters spoken, at most ${most} times each; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    );
    expect(recoveries.length).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });
});
