import { Redis } from 'ioredis';
import postgres from 'postgres';
import { jobIds } from '../flows/index.js';
import { REDIS_URL } from '../test/support/services.js';
import { buildTestApp, type TestApp } from '../test/support/test-app.js';
import { median, prefixed } from './percentile.js';

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const PROBES = 20;
const PROBE_CHAPTERS = 20;

/**
 * The speech queue with `chapters` chapters waiting (100,000 for the full size), as books of
 * `bookChapters` spread over one owner and then over `owners` (1,000). Each book is put in
 * the catalogue as a parsed book is, its flow submitted, and its chapters handed to the
 * same call the merge job makes when the parse ends (book-jobs addChapters: the fair-turn
 * numbering in PostgreSQL, then the jobs into BullMQ). No worker runs, so everything waits.
 * Measured with 100 waiting and with all of them: the scheduling cost per chapter of 20 books
 * of 20 chapters from owners already waiting, and of a newcomer's first book (its time to
 * schedule, and how many jobs are ahead of its first chapter); Redis and PostgreSQL bytes
 * per waiting chapter. Targets: per-chapter cost at `owners` ≤ 1.5× at one owner; a
 * newcomer's wait ≤ 2× at the full queue what it is at 100 waiting.
 */
export async function benchScaleQueue(opts: Record<string, string>) {
  const chapters = Number(opts.chapters ?? 20_000);
  const owners = Number(opts.owners ?? 1000);
  const bookChapters = Number(opts.bookChapters ?? 100);
  const one = await queueWith(1, chapters, bookChapters);
  const many = await queueWith(owners, chapters, bookChapters);
  return {
    chapters,
    owners,
    bookChapters,
    ...prefixed('oneOwner', one),
    ...prefixed('owners', many),
    perChapterOwnersRatio: round(many.fullPerChapterMs / one.fullPerChapterMs),
    targetPerChapterOwnersRatio: 1.5,
    newcomerScheduleRatio: round(many.fullNewcomerMs / many.smallNewcomerMs),
    targetNewcomerRatio: 2,
  };
}

async function queueWith(owners: number, chapters: number, bookChapters: number) {
  const t = await buildTestApp();
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const redis = new Redis(REDIS_URL);
  const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  try {
    const books = Math.max(1, Math.round(chapters / bookChapters));
    const memoryBefore = await memory();
    await addBooks(t, sql, { from: 0, count: 1, owners, bookChapters });
    // Each probe on tables autovacuum has caught up with, as on a service running steadily
    // (right after a burst of 100,000 inserts, its work would be measured instead).
    await sql`vacuum analyze chapters, books`;
    const small = await probe(t, sql, redis, owners, 'small');
    const seedStart = performance.now();
    await addBooks(t, sql, { from: 1, count: books - 1, owners, bookChapters });
    const seedSec = (performance.now() - seedStart) / 1000;
    await sql`vacuum analyze chapters, books`;
    const full = await probe(t, sql, redis, owners, 'full');
    // Compacted first: the rows' one update (their turn) leaves dead versions autovacuum
    // would reclaim for reuse, and the figure is what a waiting chapter holds.
    await sql`vacuum full chapters, books`;
    const [pg] = await sql<{ chapters: string; bytes: string }[]>`
      select (select count(*) from chapters) as chapters,
             pg_total_relation_size('chapters') + pg_total_relation_size('books') as bytes`;
    const waiting = Number(pg?.chapters);
    return {
      seedSec: round(seedSec, 1),
      smallPerChapterMs: small.perChapterMs,
      fullPerChapterMs: full.perChapterMs,
      smallNewcomerMs: small.newcomerMs,
      fullNewcomerMs: full.newcomerMs,
      smallNewcomerJobsAhead: small.jobsAhead,
      fullNewcomerJobsAhead: full.jobsAhead,
      redisBytesPerChapter: Math.round(((await memory()) - memoryBefore) / waiting),
      postgresBytesPerChapter: Math.round(Number(pg?.bytes) / waiting),
    };
  } finally {
    redis.disconnect();
    await sql.end();
    await t.close();
  }
}

const ownerOf = (i: number, owners: number) => `o${i % owners}`;

/**
 * Books `from`…`from + count - 1` of the backlog, each put in as its parse leaves it and
 * its chapters scheduled, in upload order.
 */
async function addBooks(
  t: TestApp,
  sql: postgres.Sql,
  b: { from: number; count: number; owners: number; bookChapters: number },
): Promise<void> {
  const ids = Array.from({ length: Math.max(0, b.count) }, (_, i) => `q${b.from + i}`);
  await seedParsed(sql, ids, (i) => ownerOf(b.from + i, b.owners), b.bookChapters);
  for (const id of ids) await schedule(t, id, b.bookChapters);
}

/** The book's flow submitted, then its chapters handed over as the merge job does: ms taken. */
async function schedule(t: TestApp, id: string, count: number): Promise<number> {
  await t.jobs.submit(id);
  const t0 = performance.now();
  await t.jobs.addChapters(
    id,
    Array.from({ length: count }, (_, i) => i + 1),
    undefined,
  );
  return performance.now() - t0;
}

/**
 * PROBES books of PROBE_CHAPTERS from owners already waiting, then a newcomer's book, each
 * timed: ms per chapter (the median book), the newcomer's ms, and the jobs waiting ahead of
 * the newcomer's first chapter on the speech queue.
 */
async function probe(t: TestApp, sql: postgres.Sql, redis: Redis, owners: number, tag: string) {
  const ids = Array.from({ length: PROBES }, (_, i) => `${tag}-p${i}`);
  await seedParsed(sql, ids, (i) => ownerOf(i, owners), PROBE_CHAPTERS);
  const times: number[] = [];
  for (const id of ids) times.push(await schedule(t, id, PROBE_CHAPTERS));
  // Newcomers: owners with nothing waiting, each with a first book (the median of five).
  const newcomers = Array.from({ length: 5 }, (_, i) => `${tag}-new${i}`);
  await seedParsed(sql, newcomers, (i) => `newcomer-${tag}-${i}`, PROBE_CHAPTERS);
  const newcomerTimes: number[] = [];
  for (const id of newcomers) newcomerTimes.push(await schedule(t, id, PROBE_CHAPTERS));
  const queue = t.queues.queue('tts');
  const last = newcomers[newcomers.length - 1] as string;
  const rank = await redis.zrank(queue.keys.prioritized as string, jobIds.chapter(last, 1));
  return {
    perChapterMs: round(median(times) / PROBE_CHAPTERS, 3),
    newcomerMs: round(median(newcomerTimes)),
    jobsAhead: rank ?? -1,
  };
}

/** Books as a parse leaves them: GENERATING, with `count` PENDING chapters each. */
async function seedParsed(
  sql: postgres.Sql,
  ids: string[],
  owner: (i: number) => string,
  count: number,
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    insert into books (id, owner, status, file_name, size_bytes, title, source_key,
                       chapter_count, created_at, updated_at)
    select id, o, 'GENERATING', 'book.epub', 100000, id, 'books/' || id || '/source.epub',
           ${count}, now() + make_interval(secs => i / 1000.0), now()
    from unnest(${ids}::text[], ${ids.map((_, i) => owner(i))}::text[]) with ordinality as s(id, o, i)`;
  await sql`
    insert into chapters (book_id, n, title, char_count, word_count, text_start, text_end)
    select id, n, 'Chapter ' || n, 3000, 500, 0, 3000
    from unnest(${ids}::text[]) as id, generate_series(1, ${count}) as n`;
}
