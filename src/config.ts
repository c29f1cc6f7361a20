import os from 'node:os';
import path from 'node:path';
import { QUEUE_KEYS, type QueueKey } from '../flows/index.js';
import type { ApiToken } from './access/principal.js';
import { DEFAULT_EPUB_LIMITS, type EpubLimits } from './epub/epub-limits.js';
import type { ParseThreadOptions } from './epub/parse-thread-pool.js';
import type { S3StorageOptions } from './storage/s3-storage.js';
import { TTS_ENGINES, type TtsEngineOptions } from './tts/tts-options.js';

/** OpenAI's own voices; they speak every language the model knows. */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

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
  /** Namespaces the queues (Redis key prefix); lets several deployments or tests share one Redis. */
  queuePrefix: string;
  s3: S3StorageOptions | undefined;
  workerQueues: QueueKey[];
  workers: Record<QueueKey, WorkerProfile>;
  /** How often each worker looks for jobs whose lock has lapsed. */
  stallCheckMs: number;
  /** Empty: no authentication, which is only allowed on a loopback HOST. */
  apiTokens: ApiToken[];
  /** Requests per token (or per address, when open) and period. */
  apiRateLimit: { max: number; duration: number };
  /** How often the reconciler looks for books stuck in progress, and how old they must be. */
  reconcile: { intervalMs: number; graceMs: number };
  tts: TtsEngineOptions;
  maxUploadBytes: number;
  /** How long an upload's body may take to arrive before the request is answered 408. */
  bodyTimeoutMs: number;
  /** How a book is parsed: its thread's ceilings, and what the parser will read. */
  parse: ParseThreadOptions & { limits: EpubLimits };
  /** How long a worker retries a status write while the database is unavailable. */
  dbRetryMs: number;
  /** How long a graceful stop may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Every variable the service reads (README's Configuration). loadConfig's readers
 * take only these names (the compiler holds it), so the list cannot drift; tests
 * derive from it the variables a test process must not inherit from a shell.
 */
export const CONFIG_VARIABLES = [
  'API_RATE_LIMIT',
  'API_TOKENS',
  'BODY_TIMEOUT',
  'DATABASE_URL',
  'DATA_DIR',
  'DB_RETRY_SECONDS',
  'HEAVY_LOCK_SECONDS',
  'HOST',
  'LIGHT_CONCURRENCY',
  'LIGHT_LOCK_SECONDS',
  'LOG_LEVEL',
  'MAX_CHAPTERS',
  'MAX_UPLOAD_MB',
  'MERGE_CONCURRENCY',
  'PARSE_MEMORY_MB',
  'PARSE_TIMEOUT',
  'PORT',
  'QUEUE_PREFIX',
  'RECONCILE_GRACE_SECONDS',
  'RECONCILE_SECONDS',
  'REDIS_URL',
  'S3_ACCESS_KEY_ID',
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE',
  'S3_REGION',
  'S3_SECRET_ACCESS_KEY',
  'SHUTDOWN_TIMEOUT',
  'STALL_CHECK_SECONDS',
  'TTS_API_KEY',
  'TTS_BASE_URL',
  'TTS_COMMAND',
  'TTS_CONCURRENCY',
  'TTS_ENGINE',
  'TTS_MAX_CHARS',
  'TTS_MODEL',
  'TTS_RATE_LIMIT',
  'TTS_TIMEOUT',
  'TTS_VOICE',
  'TTS_VOICES',
  'WORKER_QUEUES',
] as const;

type Env = Record<string, string | undefined>;
type Variable = (typeof CONFIG_VARIABLES)[number];

/**
 * Reads the environment once, at start-up. Every bad variable is reported in
 * one error, so a deployment is fixed in one go rather than one restart per typo.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: Variable) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: Variable, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: Variable, fallback: boolean) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(raw)) return true;
    if (/^(0|false|no)$/i.test(raw)) return false;
    problems.push(`${name}=${raw} must be true or false`);
    return fallback;
  };
  const url = (name: Variable, protocols: string[]) => {
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
  const tts = parseTts(str, int, problems);
  const light = {
    concurrency: int('LIGHT_CONCURRENCY', 8, 1, 256),
    lockMs: int('LIGHT_LOCK_SECONDS', 10, 2, 3600) * 1000,
  };
  const heavyLockMs = int('HEAVY_LOCK_SECONDS', 15, 2, 3600) * 1000;
  const bucket = str('S3_BUCKET');
  const s3Endpoint = url('S3_ENDPOINT', ['http:', 'https:']);
  if (!bucket) {
    for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
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
    workers: {
      parse: light,
      finalize: light,
      tts: { concurrency: tts.concurrency, lockMs: heavyLockMs },
      merge: { concurrency: int('MERGE_CONCURRENCY', 2, 1, 64), lockMs: heavyLockMs },
    },
    stallCheckMs: int('STALL_CHECK_SECONDS', 5, 1, 3600) * 1000,
    apiTokens: parseTokens(str('API_TOKENS'), problems),
    apiRateLimit: parseRate('API_RATE_LIMIT', str('API_RATE_LIMIT'), problems) ?? {
      max: 1200,
      duration: 60_000,
    },
    reconcile: {
      intervalMs: int('RECONCILE_SECONDS', 60, 1, 86_400) * 1000,
      graceMs: int('RECONCILE_GRACE_SECONDS', 120, 0, 86_400) * 1000,
    },
    tts,
    maxUploadBytes: int('MAX_UPLOAD_MB', 200, 1, 10_000) * 1024 * 1024,
    bodyTimeoutMs: int('BODY_TIMEOUT', 300, 1, 86_400) * 1000,
    parse: {
      timeoutMs: int('PARSE_TIMEOUT', 60, 1, 3600) * 1000,
      memoryMb: int('PARSE_MEMORY_MB', 768, 64, 65_536),
      limits: {
        ...DEFAULT_EPUB_LIMITS,
        maxChapters: int('MAX_CHAPTERS', DEFAULT_EPUB_LIMITS.maxChapters, 1, 100_000),
      },
    },
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT', 30, 1, 3600) * 1000,
    dbRetryMs: int('DB_RETRY_SECONDS', 300, 0, 86_400) * 1000,
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
  if (config.apiTokens.length === 0 && !LOOPBACK.includes(config.host)) {
    problems.push(
      `HOST=${config.host} needs API_TOKENS: without tokens the API is open to anyone who reaches it, so it listens on 127.0.0.1 only`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** `owner:token` or `owner:token:admin`, comma-separated. */
function parseTokens(raw: string | undefined, problems: string[]): ApiToken[] {
  if (!raw) return [];
  const tokens: ApiToken[] = [];
  for (const [i, entry] of raw.split(',').entries()) {
    const [owner = '', token = '', scope, ...rest] = entry.trim().split(':');
    if (
      !/^[A-Za-z0-9_.@-]{1,64}$/.test(owner) ||
      !/^[A-Za-z0-9._~+/=-]{16,}$/.test(token) ||
      (scope !== undefined && scope !== 'admin') ||
      rest.length > 0
    ) {
      problems.push(
        `API_TOKENS entry ${i + 1} must be owner:token or owner:token:admin (token: 16 or more letters, digits or ._~+/=-)`,
      );
      continue;
    }
    tokens.push({ owner, token, admin: scope === 'admin' });
  }
  if (new Set(tokens.map((t) => t.token)).size !== tokens.length)
    problems.push('API_TOKENS lists the same token twice');
  return tokens;
}

/** `50/60s`: at most 50 per 60 seconds (ms, s or m). */
function parseRate(
  name: string,
  raw: string | undefined,
  problems: string[],
): { max: number; duration: number } | undefined {
  if (!raw) return undefined;
  const m = /^(\d+)\/(\d+)(ms|s|m)$/.exec(raw);
  if (m && Number(m[1]) > 0 && Number(m[2]) > 0) {
    return {
      max: Number(m[1]),
      duration: Number(m[2]) * { ms: 1, s: 1000, m: 60_000 }[m[3] as 'ms'],
    };
  }
  problems.push(`${name}=${raw} must look like 50/60s (a count per period: ms, s or m)`);
  return undefined;
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

function parseTts(
  str: (name: Variable) => string | undefined,
  int: (name: Variable, fallback: number, min: number, max: number) => number,
  problems: string[],
): TtsEngineOptions {
  const command = str('TTS_COMMAND');
  const engine = (str('TTS_ENGINE') ??
    (command ? 'command' : 'espeak')) as TtsEngineOptions['engine'];
  if (!TTS_ENGINES.includes(engine))
    problems.push(`TTS_ENGINE=${engine} must be one of ${TTS_ENGINES.join(', ')}`);
  const baseUrl = str('TTS_BASE_URL');
  if (engine === 'openai' && !baseUrl)
    problems.push('TTS_BASE_URL is required when TTS_ENGINE=openai');
  if (baseUrl && !/^https?:\/\//.test(baseUrl))
    problems.push('TTS_BASE_URL must be an http(s) URL');
  if (engine === 'command' && !command)
    problems.push('TTS_COMMAND is required when TTS_ENGINE=command');
  const listed = str('TTS_VOICES')
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const voices = (listed ?? (engine === 'openai' ? OPENAI_VOICES : [])).map((v) => {
    const [id = v, language] = v.split('@');
    return { id, language: language ?? null };
  });
  const rateLimit = parseRate('TTS_RATE_LIMIT', str('TTS_RATE_LIMIT'), problems);
  const common = {
    voice: str('TTS_VOICE'),
    voices,
    timeoutMs: int('TTS_TIMEOUT', 120, 1, 3600) * 1000,
    // OpenAI accepts 4096 characters per request.
    maxChars: int('TTS_MAX_CHARS', engine === 'openai' ? 4096 : 6000, 100, 1_000_000),
    // espeak-ng and a local command use the CPU; a speech server or a dry run mostly wait.
    concurrency: int(
      'TTS_CONCURRENCY',
      engine === 'openai' ? 8 : engine === 'silence' ? 16 : os.availableParallelism(),
      1,
      256,
    ),
    rateLimit,
  };
  if (engine === 'openai') {
    const model = str('TTS_MODEL') ?? 'tts-1';
    return { ...common, engine, baseUrl: baseUrl ?? '', apiKey: str('TTS_API_KEY'), model };
  }
  if (engine === 'command') return { ...common, engine, command: command ?? '' };
  return { ...common, engine: engine === 'silence' ? 'silence' : 'espeak' };
}
