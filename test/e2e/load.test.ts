import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeployment,
  type Deployment,
  said,
  syntheses,
  toneTts,
  writeTone,
} from '../support/deployment.js';
import { makeEpub } from '../support/epub-maker.js';
import { REDIS_URL } from '../support/services.js';

const BOOKS = 50;
const CHAPTERS = 20;

/** Fifty books of twenty chapters submitted at once, through two worker processes. */
describe('a thousand chapters at once', () => {
  let d: Deployment;

  beforeAll(async () => {
    d = await createDeployment({ env: (dir) => ({ ...toneTts(dir), TTS_CONCURRENCY: '2' }) });
    await writeTone(d.dir);
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  it('makes every book READY, speaks every chapter once, and leaves the queues empty', async () => {
    // All of them within the test's own timeout (180 s), so a slow run fails saying so.
    const deadline = Date.now() + 170_000;
    const files = await Promise.all(
      Array.from({ length: BOOKS }, async (_, i) => {
        const file = path.join(d.dir, `book-${i + 1}.epub`);
        await makeEpub(file, { chapters: CHAPTERS, words: 12, label: `Book ${i + 1}` });
        return file;
      }),
    );
    const uploads = await Promise.all(files.map((f) => d.api.upload(f)));
    expect(uploads.every((u) => u.status === 202)).toBe(true);
    const ids = uploads.map((u) => u.body.id);

    const books = [];
    for (const id of ids)
      books.push(
        await d.api.waitFor(id, ['READY', 'FAILED'], Math.max(1000, deadline - Date.now())),
      );
    expect(books.filter((b) => b.status !== 'READY').map((b) => b.error)).toEqual([]);

    // Every chapter spoken once: its title was synthesized to completion exactly once.
    const done = await syntheses(d.dir);
    const counts = new Map<number, number>();
    for (let b = 1; b <= BOOKS; b++) {
      for (let n = 1; n <= CHAPTERS; n++) {
        const times = done.get(said(`Book ${b} chapter ${n}`)) ?? 0;
        counts.set(times, (counts.get(times) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(counts)).toEqual({ 1: BOOKS * CHAPTERS });
    const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql`select count(*)::int as n, max(attempts) as most from chapters`;
      expect(row).toEqual({ n: BOOKS * CHAPTERS, most: 1 });
    } finally {
      await sql.end();
    }

    // Finished trees are trimmed: nothing of any book is left in Redis, only the
    // queues' own few keys (their metadata and capped event streams).
    const redis = new Redis(REDIS_URL);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${d.prefix}:*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      expect(keys.filter((k) => ids.some((id) => k.includes(id)))).toEqual([]);
      expect(keys.length).toBeLessThan(40);
    } finally {
      redis.disconnect();
    }
  });
});
