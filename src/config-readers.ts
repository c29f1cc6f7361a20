import os from 'node:os';
import { QUEUE_KEYS, type QueueKey } from '../flows/index.js';
import type { ApiToken } from './access/principal.js';
import { loadPiperVoice, type PiperVoice } from './tts/piper-voice.js';
import { TTS_ENGINES, type TtsEngineOptions } from './tts/tts-options.js';

/**
 * Every variable the service reads (README's Configuration). loadConfig's readers
 * take only these names (the compiler holds it), so the list cannot drift; tests
 * derive from it the variables a test process must not inherit from a shell.
 */
export const CONFIG_VARIABLES = [
  'ABS_FOLDER',
  'ABS_LIBRARY',
  'ABS_LIBRARY_DIR',
  'ABS_TOKEN',
  'ABS_URL',
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
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'METRICS_TOKEN',
  'PARSE_MEMORY_MB',
  'PARSE_TIMEOUT',
  'PORT',
  'QUEUE_PREFIX',
  'RECONCILE_GRACE_SECONDS',
  'RECONCILE_SECONDS',
  'REDIS_CLUSTER',
  'REDIS_URL',
  'RETENTION_DAYS',
  'S3_ACCESS_KEY_ID',
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE',
  'S3_REGION',
  'S3_SECRET_ACCESS_KEY',
  'SCHEDULING',
  'SHUTDOWN_TIMEOUT',
  'STALL_CHECK_SECONDS',
  'PIPER_VOICES',
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
  'WORKER_PORT',
  'WORKER_QUEUES',
] as const;

export type Env = Record<string, string | undefined>;
export type Variable = (typeof CONFIG_VARIABLES)[number];

/** Typed readers of the environment; each bad value is added to `problems`, with a fallback. */
export function envReaders(env: Env, problems: string[]) {
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
  return { str, int, bool, url };
}

export type EnvReaders = ReturnType<typeof envReaders>;

/** OpenAI's own voices; they speak every language the model knows. */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

/** `owner:token` or `owner:token:admin`, comma-separated. */
export function parseTokens(raw: string | undefined, problems: string[]): ApiToken[] {
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
export function parseRate(
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

export function parseWorkerQueues(raw: string | undefined, problems: string[]): QueueKey[] {
  if (raw === undefined || raw === 'all') return [...QUEUE_KEYS];
  const picked = raw.split(',').map((s) => s.trim());
  const unknown = picked.filter((q) => !(QUEUE_KEYS as string[]).includes(q));
  if (unknown.length > 0 || picked.length === 0) {
    problems.push(`WORKER_QUEUES=${raw} must be "all" or a list of: ${QUEUE_KEYS.join(', ')}`);
    return [];
  }
  return picked as QueueKey[];
}

export function parseTts(
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
  if (engine === 'piper') return { ...common, engine, piperVoices: readPiperVoices(str, problems) };
  return { ...common, engine: engine === 'silence' ? 'silence' : 'espeak' };
}

/** PIPER_VOICES: `.onnx` paths, comma-separated; each read now, so a bad file stops start-up. */
function readPiperVoices(str: (name: Variable) => string | undefined, problems: string[]) {
  const paths = (str('PIPER_VOICES') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0) problems.push('PIPER_VOICES is required when TTS_ENGINE=piper');
  const voices: PiperVoice[] = [];
  for (const p of paths) {
    try {
      voices.push(loadPiperVoice(p));
    } catch (err) {
      problems.push(`PIPER_VOICES: ${(err as Error).message}`);
    }
  }
  return voices;
}
