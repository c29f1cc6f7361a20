import { Redis } from 'ioredis';
import { JOBS } from '../flows/index.js';
import { registry } from '../src/metrics/metrics.js';
import { REDIS_URL } from '../test/support/services.js';
import { buildTestApp } from '../test/support/test-app.js';

const JOB_COUNT = 10_000;

/**
 * One scrape of the API's /metrics with 10,000 jobs waiting in the queues:
 * its time (median of 5) and what it cost Redis (commands processed, read
 * from INFO). Target ≤ 100 ms, with a number of round trips that does not
 * grow with the jobs.
 */
export async function benchMetricsScrape(): Promise<Record<string, number>> {
  // The API as the tests build it: its own database and queue prefix, its scrape-time gauges.
  const t = await buildTestApp();
  const info = new Redis(REDIS_URL);
  try {
    for (let i = 0; i < JOB_COUNT; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => ({
        name: JOBS.generateAudio,
        data: { bookId: `b${i + k}`, n: 1 },
      }));
      await t.queues.queue('tts').addBulk(batch);
    }
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
    await t.close();
  }
}
