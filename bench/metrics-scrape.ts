import { Redis } from 'ioredis';
import { JOBS } from '../flows/index.js';
import { createBookQueries } from '../src/books/book-queries.js';
import { openDatabase } from '../src/db/database.js';
import { registry, watchQueuesAndBooks } from '../src/metrics/metrics.js';
import { openQueueBackend } from '../src/queue/queue-backend.js';
import {
  clearRedisPrefix,
  createTestDatabase,
  REDIS_URL,
  uniqueName,
} from '../test/support/services.js';

const JOB_COUNT = 10_000;

/**
 * One scrape of the API's /metrics with 10,000 jobs waiting in the queues:
 * its time (median of 5) and what it cost Redis (commands processed, read
 * from INFO). Target ≤ 100 ms, with a number of round trips that does not
 * grow with the jobs.
 */
export async function benchMetricsScrape(): Promise<Record<string, number>> {
  const db = await createTestDatabase();
  const prefix = uniqueName('bench_metrics');
  const database = await openDatabase(db.url);
  const queues = await openQueueBackend({
    redisUrl: REDIS_URL,
    databaseUrl: db.url,
    namespace: prefix,
  });
  const info = new Redis(REDIS_URL);
  try {
    for (let i = 0; i < JOB_COUNT; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => ({
        name: JOBS.generateAudio,
        data: { bookId: `b${i + k}`, n: 1 },
      }));
      await queues.queue('tts').addBulk(batch);
    }
    watchQueuesAndBooks(queues, createBookQueries(database.db));
    await registry.metrics(); // warm: first calls load BullMQ's scripts
    const commands = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await info.info('stats'))?.[1] ?? 0);
    const before = await commands();
    await registry.metrics();
    const perScrape = (await commands()) - before - 1; // less the INFO call itself
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await registry.metrics();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return {
      jobs: JOB_COUNT,
      scrapeMs: Math.round((times[2] ?? 0) * 10) / 10,
      targetMs: 100,
      redisCommandsPerScrape: perScrape,
      databaseQueriesPerScrape: 1,
    };
  } finally {
    info.disconnect();
    await queues.close(1000);
    await database.close();
    await Promise.all([db.drop(), clearRedisPrefix(prefix)]);
  }
}
