import path from 'node:path';
import type { QueueKey } from '../flows/index.js';
import type { ApiToken } from './access/principal.js';
import { parseTokens, parseWorkerQueues, type Variable } from './config-readers.js';
import { dataDirOf } from './data-dir.js';
import type { AbsTarget } from './delivery/audiobookshelf.js';
import { type Env, type EnvReaders, envReaders } from './env-readers.js';
import { DEFAULT_EPUB_LIMITS, type EpubLimits } from './epub/epub-limits.js';
import type { ParseThreadOptions } from './epub/parse-thread-pool.js';
import type { S3StorageOptions } from './storage/s3-storage.js';
import { type EngineChoice, readEngineChoice, readInstalledEngines } from './tts/engines.js';
import { voicesDir } from './tts/voice-folders.js';
import { type CatalogueSources, DEFAULT_SOURCES } from './voices/voice-catalogue.js';

/** How one queue's workers run: light work (parse, finalize) or heavy work (speech, merge). */
export interface WorkerProfile {
  concurrency: number;
  /** A dead worker's job is retaken once its lock lapses and a stall check runs. */
  lockMs: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset means: start an embedded PostgreSQL under DATA_DIR. */
  databaseUrl: string | undefined;
  /** Unset means: queues live in PostgreSQL (BullMQ's PostgreSQL backend). */
  redisUrl: string | undefined;
  /** REDIS_URL is one node of a Redis Cluster (the queue keys then share one hash slot). */
  redisCluster: boolean;
  /** Namespaces the queues (Redis key prefix); lets several deployments or tests share one Redis. */
  queuePrefix: string;
  s3: S3StorageOptions | undefined;
  /** Where READY books may be pushed: an Audiobookshelf server or a library folder it watches. */
  abs: AbsTarget | undefined;
  workerQueues: QueueKey[];
  workers: Record<QueueKey, WorkerProfile>;
  /** How often each worker looks for jobs whose lock has lapsed. */
  stallCheckMs: number;
  /** Empty: no authentication, which is only allowed on a loopback HOST. */
  apiTokens: ApiToken[];
  /** Where traces go (OTLP/HTTP); unset: no tracing. */
  otlpEndpoint: string | undefined;
  /** A bearer token that may read /metrics (besides admin tokens). */
  metricsToken: string | undefined;
  /** Where a worker process answers /health, /ready and /metrics; unset: nowhere. */
  workerPort: number | undefined;
  /** Requests per token (or per address, when open) and period. */
  apiRateLimit: { max: number; duration: number };
  /** How often the reconciler looks for books stuck in progress, and how old they must be. */
  reconcile: { intervalMs: number; graceMs: number };
  /** Finished books (READY, FAILED, CANCELLED) unchanged for this many days are purged; 0: never. */
  retentionDays: number;
  /** fair: owners take turns on the speech queue (books/chapter-schedule.ts); fifo: arrival order. */
  scheduling: 'fair' | 'fifo';
  /** The speech engine and its settings (tts/engines.ts); its limits are its own. */
  tts: EngineChoice;
  /** Engines with voices installed in DATA_DIR/voices besides `tts` (a set of engines: engine-set.ts). */
  installedEngines: EngineChoice[];
  /** The same, read again (after a voice is installed: voices/voice-sync.ts). */
  readInstalledEngines(): EngineChoice[];
  /** Where voices are installed from (PIPER_VOICES_URL, KOKORO_URL; Hugging Face by default). */
  voiceSources: CatalogueSources;
  maxUploadBytes: number;
  /** How long an upload's body may take to arrive before the request is answered 408. */
  bodyTimeoutMs: number;
  /** How long an upload may send nothing before it is answered 408 (its spool removed). */
  bodyIdleTimeoutMs: number;
  /** How a book is parsed: its thread's ceilings, and what the parser will read. */
  parse: ParseThreadOptions & { limits: EpubLimits };
  /** How long a worker retries a status write while the database is unavailable. */
  dbRetryMs: number;
  /** How long a graceful stop may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  logLevel: string;
}

type Readers = EnvReaders<Variable>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Reads the environment once, at start-up. Every bad variable is reported in
 * one error, so a deployment is fixed in one go rather than one restart per typo.
 */
export function loadConfig(env: Env = process.env, opts: { servesApi?: boolean } = {}): Config {
  const problems: string[] = [];
  const r = envReaders<Variable>(env, problems);
  const dataDir = dataDirOf(env.INIT_CWD, r.str('DATA_DIR'));
  const where = { voicesDir: voicesDir(dataDir) };
  const tts = readEngineChoice(r, where);
  const installedEngines = readInstalledEngines(r, where, tts.engine);
  const config: Config = {
    host: r.str('HOST') ?? '127.0.0.1',
    port: r.int('PORT', 3000, 0, 65535),
    dataDir,
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisCluster: r.bool('REDIS_CLUSTER', false),
    queuePrefix: r.str('QUEUE_PREFIX') ?? 'bookflow',
    s3: s3Options(r, problems),
    abs: absTarget(r, problems),
    workerQueues: parseWorkerQueues(r.str('WORKER_QUEUES'), problems),
    workers: workerProfiles(r, tts.concurrency),
    stallCheckMs: r.int('STALL_CHECK_SECONDS', 5, 1, 3600) * 1000,
    apiTokens: parseTokens(r.str('API_TOKENS'), problems),
    metricsToken: r.str('METRICS_TOKEN'),
    otlpEndpoint: r.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
    workerPort: r.str('WORKER_PORT') === undefined ? undefined : r.int('WORKER_PORT', 0, 1, 65535),
    apiRateLimit: r.rate('API_RATE_LIMIT') ?? {
      max: 1200,
      duration: 60_000,
    },
    reconcile: {
      intervalMs: r.int('RECONCILE_SECONDS', 60, 1, 86_400) * 1000,
      graceMs: r.int('RECONCILE_GRACE_SECONDS', 120, 0, 86_400) * 1000,
    },
    // 0 (the default): finished books are kept until deleted.
    retentionDays: r.int('RETENTION_DAYS', 0, 0, 36_500),
    scheduling: parseScheduling(r.str('SCHEDULING'), problems),
    tts,
    installedEngines,
    readInstalledEngines: () =>
      readInstalledEngines(envReaders<Variable>(env, []), where, tts.engine),
    voiceSources: voiceSourcesOf(r),
    maxUploadBytes: r.int('MAX_UPLOAD_MB', 200, 1, 10_000) * 1024 * 1024,
    bodyTimeoutMs: r.int('BODY_TIMEOUT', 300, 1, 86_400) * 1000,
    bodyIdleTimeoutMs: r.int('BODY_IDLE_TIMEOUT', 30, 1, 86_400) * 1000,
    parse: {
      timeoutMs: r.int('PARSE_TIMEOUT', 60, 1, 3600) * 1000,
      memoryMb: r.int('PARSE_MEMORY_MB', 768, 64, 65_536),
      limits: {
        ...DEFAULT_EPUB_LIMITS,
        maxChapters: r.int('MAX_CHAPTERS', DEFAULT_EPUB_LIMITS.maxChapters, 1, 100_000),
      },
    },
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT', 30, 1, 3600) * 1000,
    dbRetryMs: r.int('DB_RETRY_SECONDS', 300, 0, 86_400) * 1000,
    logLevel: r.str('LOG_LEVEL') ?? 'info',
  };
  problems.push(...crossChecks(config, opts.servesApi ?? true));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseScheduling(value: string | undefined, problems: string[]): Config['scheduling'] {
  if (value === undefined || value === 'fair' || value === 'fifo') return value ?? 'fair';
  problems.push(`SCHEDULING must be fair or fifo (got "${value}")`);
  return 'fair';
}

function s3Options(r: Readers, problems: string[]): S3StorageOptions | undefined {
  const bucket = r.str('S3_BUCKET');
  const endpoint = r.url('S3_ENDPOINT', ['http:', 'https:']);
  if (!bucket) {
    for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (r.str(name)) problems.push(`${name} is set but S3_BUCKET is not`);
    }
    return undefined;
  }
  return {
    bucket,
    endpoint,
    region: r.str('S3_REGION') ?? 'us-east-1',
    accessKeyId: r.str('S3_ACCESS_KEY_ID'),
    secretAccessKey: r.str('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
  };
}

const ABS_API_SETTINGS = ['ABS_TOKEN', 'ABS_LIBRARY', 'ABS_FOLDER'] as const;

/** `ABS_URL` with its token, library and folder ids, or `ABS_LIBRARY_DIR`; not both. */
function absTarget(r: Readers, problems: string[]): AbsTarget | undefined {
  const url = r.url('ABS_URL', ['http:', 'https:']);
  const dir = r.str('ABS_LIBRARY_DIR');
  if (url && dir) problems.push('set ABS_URL or ABS_LIBRARY_DIR, not both');
  if (dir) return { kind: 'dir', dir: path.resolve(dir) };
  const [token, library, folder] = ABS_API_SETTINGS.map((name) => r.str(name));
  for (const [i, name] of ABS_API_SETTINGS.entries()) {
    const set = [token, library, folder][i] !== undefined;
    if (!url && set) problems.push(`${name} is set but ABS_URL is not`);
    if (url && !set) problems.push(`${name} is needed with ABS_URL`);
  }
  if (!url || !token || !library || !folder) return undefined;
  return { kind: 'api', url, token, library, folder };
}

/** PIPER_VOICES_URL and KOKORO_URL (a mirror); Hugging Face's repositories by default. */
const voiceSourcesOf = (r: Readers): CatalogueSources => ({
  piperUrl: r.url('PIPER_VOICES_URL', ['http:', 'https:']) ?? DEFAULT_SOURCES.piperUrl,
  kokoroUrl: r.url('KOKORO_URL', ['http:', 'https:']) ?? DEFAULT_SOURCES.kokoroUrl,
});

/** Light work (parse, finalize) and heavy work (speech, merge) run with their own settings. */
function workerProfiles(r: Readers, ttsConcurrency: number): Record<QueueKey, WorkerProfile> {
  const light = {
    concurrency: r.int('LIGHT_CONCURRENCY', 8, 1, 256),
    lockMs: r.int('LIGHT_LOCK_SECONDS', 10, 2, 3600) * 1000,
  };
  const heavyLockMs = r.int('HEAVY_LOCK_SECONDS', 15, 2, 3600) * 1000;
  return {
    parse: light,
    finalize: light,
    tts: { concurrency: ttsConcurrency, lockMs: heavyLockMs },
    merge: { concurrency: r.int('MERGE_CONCURRENCY', 2, 1, 64), lockMs: heavyLockMs },
    // A few seconds of speech each, for someone waiting: two at a time beside the chapters.
    preview: { concurrency: 2, lockMs: heavyLockMs },
    deliver: { concurrency: 2, lockMs: heavyLockMs },
    voices: { concurrency: 1, lockMs: heavyLockMs },
  };
}

/** Rules about values together, after each was read on its own. */
function crossChecks(config: Config, servesApi: boolean): string[] {
  const problems: string[] = [];
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be 16 characters or more');
  }
  if (config.redisCluster && !config.redisUrl) {
    problems.push('REDIS_CLUSTER is set but REDIS_URL (one node of the cluster) is not');
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(config.queuePrefix)) {
    problems.push('QUEUE_PREFIX must be 1-32 letters, digits, _ or -');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL=${config.logLevel} must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  }
  // Only a process that serves the API is open to callers (a worker's WORKER_PORT has its own rules).
  if (servesApi && config.apiTokens.length === 0 && !LOOPBACK.includes(config.host)) {
    problems.push(
      `HOST=${config.host} needs API_TOKENS: without tokens the API is open to anyone who reaches it, so it listens on 127.0.0.1 only`,
    );
  }
  return problems;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export { CONFIG_VARIABLES } from './config-readers.js';
