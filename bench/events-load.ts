import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { Pool } from 'undici';
import { createDeployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { pct } from './percentile.js';

const CHAPTERS = 1000;
const SUBSCRIBERS = 1000;
const WRITES = 200;
const WRITE_EVERY_MS = 20;
const POLLERS = 100;
const POLL_EVERY_MS = 1000;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** One raw SSE connection: calls `onData` with each event's parsed data. */
function subscribe(url: string, onData: (data: { n?: number; status?: string }) => void) {
  return new Promise<http.ClientRequest>((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          if (data) onData(JSON.parse(data));
          if (buffer.slice(0, end).includes('event: ready')) resolve(req);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      });
    });
    req.on('error', reject);
  });
}

/**
 * 1000 subscribers to one 1000-chapter book mid-flight (no speech worker: its
 * chapters wait), while chapters are marked DONE in PostgreSQL as a worker
 * does, one every 20 ms: delivery latency from the write's commit to each
 * client (target p99 ≤ 250 ms), and the API's resident memory growth (target
 * ≤ 100 MB). Beside it, 100 clients polling GET /books/:id once a second for
 * the same kind of change, as a page without events would.
 */
export async function benchEventsLoad(): Promise<Record<string, number>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-events-'));
  const d = await createDeployment();
  const sql = postgres(d.databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const file = path.join(dir, 'book.epub');
    await makeEpub(file, { chapters: CHAPTERS, words: 20 });
    const api = await d.start('api', { API_RATE_LIMIT: '100000000/60s' });
    await d.start('worker', { WORKER_QUEUES: 'parse,merge,finalize' });
    const { body } = await d.api.upload(file);
    await d.api.waitFor(body.id, ['GENERATING'], 120_000);
    const pid = api.child.pid as number;
    const written = new Map<number, number>();
    // Timed from before the write (its commit included): an event can reach a client before
    // the writer hears back from PostgreSQL.
    const markDone = async (n: number) => {
      written.set(n, performance.now());
      await sql`update chapters set status = 'DONE' where book_id = ${body.id} and n = ${n}`;
    };

    const rssBefore = rssMb(pid);
    const latencies: number[] = [];
    const url = `${d.api.base}/books/${body.id}/events`;
    const streams: http.ClientRequest[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 50) {
      const batch = Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () =>
        subscribe(url, (e) => {
          const at = e.status === 'DONE' && e.n ? written.get(e.n) : undefined;
          if (at !== undefined) latencies.push(performance.now() - at);
        }),
      );
      streams.push(...(await Promise.all(batch)));
    }
    let rssPeak = rssMb(pid);
    for (let n = 1; n <= WRITES; n++) {
      await markDone(n);
      rssPeak = Math.max(rssPeak, rssMb(pid));
      await new Promise((r) => setTimeout(r, WRITE_EVERY_MS));
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of streams) s.destroy();

    const polled = await pollingLatencies(d.api.base, body.id, markDone);
    return {
      subscribers: SUBSCRIBERS,
      writes: WRITES,
      deliveries: latencies.length,
      expectedDeliveries: SUBSCRIBERS * WRITES,
      eventP50Ms: pct(latencies, 50),
      eventP99Ms: pct(latencies, 99),
      targetP99Ms: 250,
      apiRssBeforeMb: Math.round(rssBefore),
      apiRssGrowthMb: Math.round(rssPeak - rssBefore),
      targetGrowthMb: 100,
      pollers: POLLERS,
      pollEveryMs: POLL_EVERY_MS,
      pollP50Ms: pct(polled, 50),
      pollP99Ms: pct(polled, 99),
    };
  } finally {
    await sql.end();
    await d.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** How long after a chapter is DONE a client polling once a second sees the count go up. */
async function pollingLatencies(
  base: string,
  id: string,
  markDone: (n: number) => Promise<void>,
): Promise<number[]> {
  const pool = new Pool(base, { connections: POLLERS });
  const doneAt: number[] = [];
  const seen: number[] = new Array(POLLERS).fill(WRITES);
  const latencies: number[] = [];
  let running = true;
  const poller = async (i: number) => {
    await new Promise((r) => setTimeout(r, (i * POLL_EVERY_MS) / POLLERS));
    while (running) {
      const res = await pool.request({ path: `/books/${id}`, method: 'GET' });
      const text = await res.body.text();
      const done = Number(/"done":(\d+)/.exec(text)?.[1] ?? 0);
      for (let n = (seen[i] as number) + 1; n <= done; n++) {
        const at = doneAt[n];
        if (at !== undefined) latencies.push(performance.now() - at);
      }
      seen[i] = Math.max(seen[i] as number, done);
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
  };
  const pollers = Array.from({ length: POLLERS }, (_, i) => poller(i));
  for (let n = WRITES + 1; n <= WRITES * 2; n++) {
    doneAt[n] = performance.now();
    await markDone(n);
    await new Promise((r) => setTimeout(r, WRITE_EVERY_MS));
  }
  await new Promise((r) => setTimeout(r, 2 * POLL_EVERY_MS));
  running = false;
  await Promise.all(pollers);
  await pool.close();
  return latencies;
}
