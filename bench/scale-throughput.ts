import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { createDeployment, type Deployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { REDIS_URL } from '../test/support/services.js';
import { prefixed } from './percentile.js';

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const TICKS = 100; // /proc's clock ticks a second (USER_HZ) on Linux

/**
 * The orchestration's ceiling: `books` books of `bookChapters` chapters uploaded at once
 * and read by the dry-run engine (TTS_ENGINE=silence: no synthesis, so what is measured is
 * everything around it) with 1, 2 and 4 worker processes on Redis. Chapters a second from
 * the first chapter's start to the last one's end, and per chapter: PostgreSQL
 * transactions, Redis commands, and CPU milliseconds of the workers, the API and Redis.
 */
export async function benchScaleThroughput(opts: Record<string, string>) {
  const books = Number(opts.books ?? 10);
  const bookChapters = Number(opts.bookChapters ?? 200);
  const workers = (opts.workers ?? '1,2,4').split(',').map(Number);
  const figures: Record<string, number> = { books, bookChapters };
  for (const count of workers)
    Object.assign(figures, prefixed(`w${count}`, await throughputWith(count, books, bookChapters)));
  return figures;
}

async function throughputWith(workers: number, books: number, bookChapters: number) {
  const d = await createDeployment({ env: () => ({ TTS_ENGINE: 'silence' }) });
  const redis = new Redis(REDIS_URL);
  const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const api = await d.start('api');
    const started = [];
    for (let i = 0; i < workers; i++) started.push(await d.start('worker'));
    const file = path.join(d.dir, 'book.epub');
    await makeEpub(file, { chapters: bookChapters, words: 20 });
    const before = await counters(d, redis, sql, [api, ...started]);
    const ids = await Promise.all(
      Array.from({ length: books }, async () => (await d.api.upload(file)).body.id as string),
    );
    for (const id of ids) await d.api.waitFor(id, ['READY'], 1_800_000);
    await sleep(1500); // PostgreSQL's backends publish their statistics within a second
    const after = await counters(d, redis, sql, [api, ...started]);
    const [span] = await sql<{ sec: number; chapters: number }[]>`
      select extract(epoch from max(finished_at) - min(started_at))::float8 as sec,
             count(*)::int as chapters from chapters`;
    const chapters = span?.chapters ?? 0;
    const per = (k: keyof typeof before) => round((after[k] - before[k]) / chapters, 2);
    return {
      chaptersPerSec: round(chapters / (span?.sec ?? Number.NaN), 1),
      pgTransactionsPerChapter: per('pgTransactions'),
      redisCommandsPerChapter: per('redisCommands'),
      workerCpuMsPerChapter: per('workerCpuMs'),
      apiCpuMsPerChapter: per('apiCpuMs'),
      redisCpuMsPerChapter: per('redisCpuMs'),
    };
  } finally {
    redis.disconnect();
    await sql.end();
    await d.stop();
  }
}

/** The running totals each figure is a difference of. */
async function counters(
  d: Deployment,
  redis: Redis,
  sql: postgres.Sql,
  [api, ...workers]: Deployment['processes'],
) {
  const stats = await redis.info('stats');
  const cpu = await redis.info('cpu');
  const field = (text: string, name: string) =>
    Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1]);
  const [db] = await sql<{ n: string }[]>`
    select xact_commit + xact_rollback as n from pg_stat_database
    where datname = ${new URL(d.databaseUrl).pathname.slice(1)}`;
  const cpuMs = async (p: Deployment['processes'][number] | undefined) => {
    const stat = await fs.readFile(`/proc/${p?.child.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Its own time and its children's (ffmpeg), in clock ticks.
    return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / TICKS;
  };
  let workerCpuMs = 0;
  for (const w of workers) workerCpuMs += await cpuMs(w);
  return {
    pgTransactions: Number(db?.n),
    redisCommands: field(stats, 'total_commands_processed'),
    workerCpuMs,
    apiCpuMs: await cpuMs(api),
    redisCpuMs: (field(cpu, 'used_cpu_sys') + field(cpu, 'used_cpu_user')) * 1000,
  };
}
