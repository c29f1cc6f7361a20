import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Job, WaitingChildrenError } from 'bullmq';
import postgres from 'postgres';
import { buildBookFlow, chapterJob, QUEUE_KEYS } from '../flows/index.js';
import { loadConfig } from '../src/config.js';
import { openQueueBackend } from '../src/queue/queue-backend.js';
import { workerOptions } from '../src/workers/worker-runtime.js';
import { createDeployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { REDIS_URL, uniqueName } from '../test/support/services.js';

const CHAPTERS = 1000;
/** The worker settings the service's dry-run engine gets by default (TTS_CONCURRENCY=16). */
const SETTINGS = loadConfig({ TTS_ENGINE: 'silence' });

/**
 * Fan-out and fan-in of a 1000-chapter book with the dry-run engine (no
 * synthesis, no encoding): time from upload until the merge starts, per
 * chapter, beside a raw BullMQ flow of the same shape with no-op processors,
 * on the same queue backend and worker settings. Target: ≤ 5× the raw flow.
 */
export async function benchFanOut(backend: 'redis' | 'postgres'): Promise<Record<string, number>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-fanout-'));
  try {
    const book = path.join(dir, 'book.epub');
    await makeEpub(book, { chapters: CHAPTERS, words: 20 });
    const service = await serviceMs(book, backend === 'redis');
    const raw = await rawFlowMs(backend === 'redis');
    return {
      chapters: CHAPTERS,
      serviceMsPerChapter: round(service / CHAPTERS),
      rawFlowMsPerChapter: round(raw / CHAPTERS),
      ratio: round(service / raw),
      target: 5,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function serviceMs(book: string, redis: boolean): Promise<number> {
  const d = await createDeployment({ redis, env: () => ({ TTS_ENGINE: 'silence' }) });
  try {
    await d.start('api');
    await d.start('worker');
    // The merge's first act is to mark the book MERGING: polled in the database every 5 ms
    // (the API's status answers may be half a second old).
    const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const t0 = performance.now();
      const { body } = await d.api.upload(book);
      for (;;) {
        const [row] = await sql`select status from books where id = ${body.id}`;
        if (['MERGING', 'READY', 'FAILED'].includes(row?.status)) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      const ms = performance.now() - t0;
      await d.api.waitFor(body.id, ['READY', 'FAILED'], 600_000);
      return ms;
    } finally {
      await sql.end();
    }
  } finally {
    await d.stop();
  }
}

/** The same tree with plain BullMQ and no-op processors: the floor for our overhead. */
async function rawFlowMs(redis: boolean): Promise<number> {
  const d = await createDeployment({ redis });
  const queues = await openQueueBackend({
    redisUrl: redis ? REDIS_URL : undefined,
    databaseUrl: d.databaseUrl,
    namespace: uniqueName('raw'),
  });
  try {
    let mergeStarted = 0;
    const bookId = 'raw-book';
    const processors: Record<string, (job: Job, token?: string) => Promise<unknown>> = {
      parse: async () => ({}),
      tts: async () => ({}),
      finalize: async () => ({}),
      merge: async (job, token) => {
        if (job.data.step === 'start') {
          const parent = { id: job.id as string, queue: job.queueQualifiedName };
          const ns = Array.from({ length: CHAPTERS }, (_, i) => i + 1);
          await queues.queue('tts').addBulk(ns.map((n) => chapterJob(bookId, n, parent)));
          await job.updateData({ ...job.data, step: 'waiting' });
          if (await job.moveToWaitingChildren(token as string)) throw new WaitingChildrenError();
        }
        mergeStarted = performance.now();
        return {};
      },
    };
    for (const key of QUEUE_KEYS)
      queues.worker(key, processors[key] as never, workerOptions(key, SETTINGS, {}));
    const t0 = performance.now();
    await queues.flowProducer().add(buildBookFlow(bookId));
    while (!mergeStarted) await new Promise((r) => setTimeout(r, 20));
    return mergeStarted - t0;
  } finally {
    await queues.close();
    // Let the backend's last connections finish closing before the database is dropped.
    await new Promise((r) => setTimeout(r, 500));
    await d.stop();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
