import os from 'node:os';
import path from 'node:path';
import { QUEUE_KEYS, type QueueKey } from '../flows/index.js';

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset means: start an embedded PostgreSQL under DATA_DIR. */
  databaseUrl: string | undefined;
  /** Unset means: queues live in PostgreSQL (BullMQ's PostgreSQL backend). */
  redisUrl: string | undefined;
  /** Namespaces the queues (Redis key prefix); lets several deployments or tests share one Redis. */
  queuePrefix: string;
  s3: S3Config | undefined;
  workerQueues: QueueKey[];
  ttsConcurrency: number;
  ttsCommand: string | undefined;
  /** Longest text sent to the speech engine in one request; chapters are split at sentences to fit. */
  ttsMaxChars: number;
  maxUploadBytes: number;
  /** How long a graceful stop may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads the environment once, at start-up. Every bad variable is reported in
 * one error, so a deployment is fixed in one go rather than one restart per typo.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(raw)) return true;
    if (/^(0|false|no)$/i.test(raw)) return false;
    problems.push(`${name}=${raw} must be true or false`);
    return fallback;
  };
  const url = (name: string, protocols: string[]) => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const workerQueues = parseWorkerQueues(str('WORKER_QUEUES'), problems);
  const bucket = str('S3_BUCKET');
  const s3Endpoint = url('S3_ENDPOINT', ['http:', 'https:']);
  if (!bucket) {
    for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      if (str(name)) problems.push(`${name} is set but S3_BUCKET is not`);
    }
  }
  const config: Config = {
    host: str('HOST') ?? '127.0.0.1',
    port: int('PORT', 3000, 0, 65535),
    // npm runs scripts from the package root; INIT_CWD is where the user typed `npm start`.
    dataDir: path.resolve(env.INIT_CWD ?? process.cwd(), str('DATA_DIR') ?? 'data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix: str('QUEUE_PREFIX') ?? 'bookflow',
    s3: bucket
      ? {
          bucket,
          endpoint: s3Endpoint,
          region: str('S3_REGION') ?? 'us-east-1',
          accessKeyId: str('S3_ACCESS_KEY_ID'),
          secretAccessKey: str('S3_SECRET_ACCESS_KEY'),
          forcePathStyle: bool('S3_FORCE_PATH_STYLE', false),
        }
      : undefined,
    workerQueues,
    ttsConcurrency: int('TTS_CONCURRENCY', Math.max(1, os.availableParallelism()), 1, 256),
    ttsCommand: str('TTS_COMMAND'),
    ttsMaxChars: int('TTS_MAX_CHARS', 6000, 100, 1_000_000),
    maxUploadBytes: int('MAX_UPLOAD_MB', 200, 1, 10_000) * 1024 * 1024,
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT', 30, 1, 3600) * 1000,
    logLevel: str('LOG_LEVEL') ?? 'info',
  };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(config.queuePrefix)) {
    problems.push('QUEUE_PREFIX must be 1-32 letters, digits, _ or -');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `LOG_LEVEL=${config.logLevel} must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseWorkerQueues(raw: string | undefined, problems: string[]): QueueKey[] {
  if (raw === undefined || raw === 'all') return [...QUEUE_KEYS];
  const picked = raw.split(',').map((s) => s.trim());
  const unknown = picked.filter((q) => !(QUEUE_KEYS as string[]).includes(q));
  if (unknown.length > 0 || picked.length === 0) {
    problems.push(`WORKER_QUEUES=${raw} must be "all" or a list of: ${QUEUE_KEYS.join(', ')}`);
    return [];
  }
  return picked as QueueKey[];
}
