import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { JOBS, jobIds, QUEUES } from '../flows/index.js';
import { createDeployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { REDIS_URL } from '../test/support/services.js';
import { pct } from './percentile.js';

const CHAPTERS = 1000;
const POLLERS = 50;
const SECONDS = 20;

/**
 * Status polling while a 1000-chapter book is mid-flight (its chapters added,
 * no speech worker running): 50 pollers on GET /books/:id and /jobs for 20 s.
 * Targets: p99 ≤ 20 ms and ≤ 50 ms, every response complete. Baseline:
 * FlowProducer.getFlow on the same tree.
 */
export async function benchStatusLoad(): Promise<Record<string, number>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-status-'));
  const d = await createDeployment();
  let pool: Pool | undefined;
  try {
    const file = path.join(dir, 'book.epub');
    await makeEpub(file, { chapters: CHAPTERS, words: 20 });
    // 50 closed-loop pollers from one owner: far past the default per-token rate limit.
    await d.start('api', { API_RATE_LIMIT: '100000000/60s' });
    await d.start('worker', { WORKER_QUEUES: 'parse,merge,finalize' });
    const { body } = await d.api.upload(file);
    const id = body.id;
    await d.api.waitFor(id, ['GENERATING'], 120_000);
    while (((await d.api.jobs(id)).body.children[0]?.children.length ?? 0) < CHAPTERS + 1) {
      await new Promise((r) => setTimeout(r, 200));
    }

    // One keep-alive connection per poller (undici: a leaner client than node:http).
    pool = new Pool(d.api.base, { connections: POLLERS });
    const latencies = { book: [] as number[], jobs: [] as number[] };
    // Pollers take gzip, as browsers do. Chapters are counted in the unzipped bytes, not
    // parsed: on two shared cores, a client that decodes 300 KB answers would measure
    // its own queue rather than the server.
    const needles = {
      book: Buffer.from('"attempts":'),
      jobs: Buffer.from(JSON.stringify(JOBS.generateAudio)),
    };
    // An answer byte-identical to one already counted complete is complete too (the
    // server rebuilds and compresses its answers twice a second; most polls see the
    // same bytes).
    const counted: Record<'book' | 'jobs', Buffer> = {
      book: Buffer.alloc(0),
      jobs: Buffer.alloc(0),
    };
    const complete = (which: 'book' | 'jobs', body: Buffer) => {
      if (count(gunzipSync(body), needles[which]) !== CHAPTERS) return false;
      counted[which] = body;
      return true;
    };
    let incomplete = 0;
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: POLLERS }, async (_, i) => {
        for (let k = i; performance.now() < until; k++) {
          const which = k % 2 === 0 ? 'book' : 'jobs';
          const t0 = performance.now();
          const known = counted[which];
          const body = await get(
            pool as Pool,
            `/books/${id}${which === 'jobs' ? '/jobs' : ''}`,
            known,
          );
          latencies[which].push(performance.now() - t0);
          if (body !== known && !complete(which, body)) incomplete++;
        }
      }),
    );

    const baseline = await getFlowBaseline(d.prefix, jobIds.finalize(id));
    return {
      bookRequests: latencies.book.length,
      bookP50Ms: pct(latencies.book, 50),
      bookP99Ms: pct(latencies.book, 99),
      bookTargetP99Ms: 20,
      jobsRequests: latencies.jobs.length,
      jobsP50Ms: pct(latencies.jobs, 50),
      jobsP99Ms: pct(latencies.jobs, 99),
      jobsTargetP99Ms: 50,
      incompleteResponses: incomplete,
      getFlowMs: baseline.ms,
      getFlowChaptersReturned: baseline.chapters,
    };
  } finally {
    await pool?.close();
    await d.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** One getFlow of the whole tree, alone: its time and how many chapters it returned. */
async function getFlowBaseline(
  prefix: string,
  rootId: string,
): Promise<{ ms: number; chapters: number }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const flow = new FlowProducer({ connection, prefix });
  try {
    const t0 = performance.now();
    const tree = await flow.getFlow({ id: rootId, queueName: QUEUES.finalize, prefix });
    const ms = performance.now() - t0;
    const merge = tree.children?.[0];
    return { ms: round(ms), chapters: (merge?.children?.length ?? 1) - 1 };
  } finally {
    await flow.close();
    connection.disconnect();
  }
}

/**
 * GETs `url`. An answer equal to `known` resolves to `known` itself, compared as
 * it arrives and never copied (a client allocating 300 KB per poll spends its
 * time collecting garbage); any other answer resolves to its own bytes.
 */
async function get(pool: Pool, path: string, known: Buffer): Promise<Buffer> {
  const { body } = await pool.request({
    method: 'GET',
    path,
    headers: { 'accept-encoding': 'gzip' },
  });
  const chunks: Buffer[] = [];
  let offset = 0;
  let same = true;
  for await (const c of body as AsyncIterable<Buffer>) {
    const end = offset + c.length;
    if (same && end <= known.length && c.compare(known, offset, end) === 0) {
      offset = end;
      continue;
    }
    if (same) chunks.push(known.subarray(0, offset));
    same = false;
    chunks.push(c);
  }
  return same && offset === known.length ? known : Buffer.concat(chunks);
}

function count(bytes: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + needle.length)) n++;
  return n;
}

const round = (n: number) => Math.round(n * 10) / 10;
