import client from 'prom-client';
import { QUEUE_KEYS } from '../../flows/index.js';
import type { BookQueries } from '../books/book-queries.js';
import { BOOK_STATUSES } from '../db/schema.js';
import type { QueueBackend } from '../queue/queue-backend.js';

/**
 * This process's metrics, in Prometheus' text format (GET /metrics on the API,
 * and on a worker's WORKER_PORT). One registry per process, as prom-client
 * intends; the Node.js runtime's own (event-loop lag, memory, CPU) included.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'bookflow_' });
const registers = [registry];

/**
 * prom-client serves Node's active handles, requests and resources twice: by type, and
 * summed under a `_total` name, which Prometheus keeps for counters (`promtool check
 * metrics` refuses a gauge so named). The sums go: `sum(bookflow_nodejs_active_handles)`.
 */
for (const name of ['handles', 'requests', 'resources'])
  registry.removeSingleMetric(`bookflow_nodejs_active_${name}_total`);

export const metrics = {
  synthesisSeconds: new client.Histogram({
    name: 'bookflow_chapter_synthesis_seconds',
    help: 'Wall time to synthesize and encode one chapter',
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers,
  }),
  audioSeconds: new client.Histogram({
    name: 'bookflow_chapter_audio_seconds',
    help: 'Seconds of audio in one chapter (divide by synthesis seconds for the real-time factor)',
    buckets: [10, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200],
    registers,
  }),
  mergeSeconds: new client.Histogram({
    name: 'bookflow_merge_seconds',
    help: 'Wall time to join one book',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  }),
  failures: new client.Counter({
    name: 'bookflow_job_failures_total',
    // Not `job`: Prometheus sets that label itself (to the scrape job), and would keep
    // ours as `exported_job`.
    help: 'Job attempts that failed, by job name and by class of cause',
    labelNames: ['job_name', 'class'],
    registers,
  }),
  retries: new client.Counter({
    name: 'bookflow_job_retries_total',
    help: 'Failed job attempts that will be tried again',
    labelNames: ['job_name'],
    registers,
  }),
  httpSeconds: new client.Histogram({
    name: 'bookflow_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  }),
};

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'waiting-children',
  'prioritized',
] as const;

/**
 * Gauges read when scraped: jobs by queue and state (one count call per queue; `queued`
 * is waiting + prioritized, what an autoscaler follows)
 * and books by status (one query), so a scrape costs a bounded number of round
 * trips however many jobs there are. The API process registers these.
 */
export function watchQueuesAndBooks(
  queues: Pick<QueueBackend, 'queue'>,
  books: Pick<BookQueries, 'countByStatus'>,
): void {
  // One source per process: a second call (a test building a second app) replaces the first.
  for (const name of ['bookflow_jobs', 'bookflow_books']) registry.removeSingleMetric(name);
  new client.Gauge({
    name: 'bookflow_jobs',
    help: 'Jobs by queue and state',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await Promise.all(
        QUEUE_KEYS.map((k) => queues.queue(k).getJobCounts(...STATES)),
      );
      for (const [i, key] of QUEUE_KEYS.entries()) {
        const count = counts[i] ?? {};
        for (const state of STATES) this.set({ queue: key, state }, count[state] ?? 0);
        // Ready to run, whatever their turn: chapters wait as `prioritized` (fair turns).
        this.set({ queue: key, state: 'queued' }, (count.waiting ?? 0) + (count.prioritized ?? 0));
      }
    },
  });
  new client.Gauge({
    name: 'bookflow_books',
    help: 'Books by status',
    labelNames: ['status'],
    registers,
    async collect() {
      // Every status, 0 where no book has it: a series that vanishes reads as no data.
      const counts = new Map((await books.countByStatus()).map((r) => [r.status, r.count]));
      for (const status of BOOK_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });
}
