import {
  createPostgresBackend,
  FlowProducer,
  type Processor,
  Queue,
  runMigrations,
  type Telemetry,
  Worker,
  type WorkerOptions,
  withBackend,
} from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { QUEUES, type QueueKey } from '../../flows/index.js';
import { TimeoutError, withTimeout } from '../time-limit.js';

/**
 * The one registry of queue clients. Producers (queues, the flow producer) are
 * available to every process; `worker()` is only ever called by the worker
 * runtime, which is how the API process stays a pure producer.
 */
export interface QueueBackend {
  readonly kind: 'redis' | 'postgres';
  queue(key: QueueKey): Queue;
  flowProducer(): FlowProducer;
  worker(key: QueueKey, processor: Processor, opts: Omit<WorkerOptions, 'connection'>): Worker;
  ping(): Promise<void>;
  /**
   * Stops workers taking jobs and lets running ones finish for up to `graceMs`;
   * what is still running then is handed back (its lock lapses and another
   * worker picks it up; BullMQ counts a stall, not a failure).
   */
  close(graceMs?: number): Promise<void>;
}

export interface QueueBackendOptions {
  redisUrl: string | undefined;
  /** `redisUrl` is one node of a Redis Cluster. */
  redisCluster?: boolean;
  databaseUrl: string;
  /** Redis key prefix, or PostgreSQL schema, holding the queues. */
  namespace: string;
  /** Traces jobs (see tracing.ts); unset: no tracing. */
  telemetry?: Telemetry;
}

export async function openQueueBackend(opts: QueueBackendOptions): Promise<QueueBackend> {
  if (!opts.redisUrl) return openPostgresBackend(opts.databaseUrl, opts.namespace, opts.telemetry);
  // On a cluster every key of a flow must live in one hash slot (BullMQ's scripts touch
  // several queues' keys at once): the prefix is made a hash tag, `{bookflow}`.
  return opts.redisCluster
    ? openRedisBackend(clusterClient(opts.redisUrl), `{${opts.namespace}}`, opts.telemetry)
    : openRedisBackend(redisClient(opts.redisUrl), opts.namespace, opts.telemetry);
}

// Auto-pipelining batches the many small reads of a job tree into few round trips;
// BullMQ's blocking reads need requests that never give up while Redis is away.
const redisClient = (url: string) =>
  new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true });

/** A Redis Cluster client seeded with one node's address; it finds the others itself. */
function clusterClient(url: string): Cluster {
  const u = new URL(url);
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    enableAutoPipelining: true,
    redisOptions: {
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    },
  });
}

function openRedisBackend(
  connection: Redis | Cluster,
  prefix: string,
  telemetry?: Telemetry,
): QueueBackend {
  return registry('redis', {
    newQueue: (name) => new Queue(name, { connection, prefix, telemetry }),
    newFlowProducer: () => new FlowProducer({ connection, prefix, telemetry }),
    newWorker: (name, processor, wopts) =>
      new Worker(name, processor, { ...wopts, connection, prefix, telemetry }),
    ping: async () => {
      await connection.ping();
    },
    close: async () => {
      connection.disconnect();
    },
  });
}

async function openPostgresBackend(
  url: string,
  schema: string,
  telemetry?: Telemetry,
): Promise<QueueBackend> {
  // BullMQ leaves schema migration to the application: do it once, at start-up.
  const migrator = new pg.Client({ connectionString: url });
  await migrator.connect();
  try {
    await runMigrations(migrator, schema);
  } finally {
    await migrator.end();
  }
  // Each client owns a small pool; keep them small so many processes fit max_connections.
  const connection = { connectionString: url, schema, max: 4 };
  const pgClasses = withBackend(createPostgresBackend);
  const probe = new pg.Pool({ connectionString: url, max: 1 });
  return registry('postgres', {
    newQueue: (name) => new pgClasses.Queue(name, { connection, telemetry }) as unknown as Queue,
    newFlowProducer: () =>
      new pgClasses.FlowProducer({ connection, telemetry }) as unknown as FlowProducer,
    newWorker: (name, processor, wopts) =>
      new pgClasses.Worker(name, processor, {
        ...wopts,
        connection,
        telemetry,
      }) as unknown as Worker,
    ping: async () => {
      await probe.query('select 1');
    },
    close: () => probe.end(),
  });
}

interface Factories {
  newQueue(name: string): Queue;
  newFlowProducer(): FlowProducer;
  newWorker(name: string, processor: Processor, opts: Omit<WorkerOptions, 'connection'>): Worker;
  ping(): Promise<void>;
  close(): Promise<void>;
}

function registry(kind: QueueBackend['kind'], f: Factories): QueueBackend {
  const queues = new Map<QueueKey, Queue>();
  const workers: Worker[] = [];
  let flow: FlowProducer | undefined;
  return {
    kind,
    queue(key) {
      let q = queues.get(key);
      if (!q) {
        q = f.newQueue(QUEUES[key]);
        queues.set(key, q);
      }
      return q;
    },
    flowProducer() {
      flow ??= f.newFlowProducer();
      return flow;
    },
    worker(key, processor, opts) {
      const w = f.newWorker(QUEUES[key], processor, opts);
      workers.push(w);
      return w;
    },
    ping: f.ping,
    async close(graceMs = 30_000) {
      await Promise.all(workers.map((w) => closeWithin(w, graceMs)));
      await Promise.all([...queues.values()].map((q) => q.close()));
      await flow?.close();
      await f.close();
    },
  };
}

/** The abort reason with which a stopping worker hands its unfinished jobs back to the queue. */
export const HAND_BACK = 'worker shutting down';

/**
 * Lets running jobs finish within `graceMs`; then aborts them with HAND_BACK
 * (their processors return them to the queue, unfailed) and closes for good.
 */
async function closeWithin(worker: Worker, graceMs: number): Promise<void> {
  const closing = worker.close();
  if ((await within(closing, graceMs)) === 'done') return;
  worker.cancelAllJobs(HAND_BACK);
  if ((await within(closing, 3000)) === 'late') await worker.close(true);
}

/** Whether `p` settles within `ms` ("late" if not); a failure of `p` is its own. */
function within(p: Promise<void>, ms: number): Promise<'done' | 'late'> {
  return withTimeout(p, ms).then(
    () => 'done' as const,
    (err) => {
      if (err instanceof TimeoutError) return 'late' as const;
      throw err;
    },
  );
}
