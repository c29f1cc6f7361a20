import os from 'node:os';
import path from 'node:path';
import { QUEUE_KEYS, type QueueKey } from '../flows/index.js';
import type { Voice } from './tts/tts-engine.js';

export interface S3Config {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
}

export const TTS_ENGINES = ['espeak', 'openai', 'command', 'silence'] as const;

export interface TtsConfig {
  engine: (typeof TTS_ENGINES)[number];
  /** OpenAI-compatible server, e.g. https://api.openai.com or http://kokoro:8880 */
  baseUrl: string | undefined;
  apiKey: string | undefined;
  model: string;
  /** Default voice; unset means the engine's own. */
  voice: string | undefined;
  /** Voices offered to uploads (`id` or `id@language`); empty means the engine's own list. */
  voices: Voice[];
  command: string | undefined;
  timeoutMs: number;
  /** Longest text sent in one request; chapters are split at sentences to fit. */
  maxChars: number;
  concurrency: number;
  /** At most `max` chapter jobs start per `duration` ms across all workers (BullMQ's limiter). */
  rateLimit: { max: number; duration: number } | undefined;
}

/** OpenAI's own voices; they speak every language the model knows. */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

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
  tts: TtsConfig;
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
    tts: parseTts(str, int, problems),
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

function parseTts(
  str: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): TtsConfig {
  const command = str('TTS_COMMAND');
  const engine = (str('TTS_ENGINE') ?? (command ? 'command' : 'espeak')) as TtsConfig['engine'];
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
  const rate = str('TTS_RATE_LIMIT');
  let rateLimit: TtsConfig['rateLimit'];
  if (rate) {
    const m = /^(\d+)\/(\d+)(ms|s|m)$/.exec(rate);
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) {
      rateLimit = {
        max: Number(m[1]),
        duration: Number(m[2]) * { ms: 1, s: 1000, m: 60_000 }[m[3] as 'ms'],
      };
    } else {
      problems.push(
        `TTS_RATE_LIMIT=${rate} must look like 50/60s (requests per period: ms, s or m)`,
      );
    }
  }
  return {
    engine,
    baseUrl,
    apiKey: str('TTS_API_KEY'),
    model: str('TTS_MODEL') ?? 'tts-1',
    voice: str('TTS_VOICE'),
    voices,
    command,
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
}
