import { QUEUE_KEYS, type QueueKey } from '../flows/index.js';
import type { ApiToken } from './access/principal.js';
import { TTS_VARIABLES } from './tts/engines.js';

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
  'BODY_IDLE_TIMEOUT',
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
  'PIPER_VOICES_URL',
  'KOKORO_URL',
  'S3_ACCESS_KEY_ID',
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE',
  'S3_REGION',
  'S3_SECRET_ACCESS_KEY',
  'SCHEDULING',
  'SHUTDOWN_TIMEOUT',
  'STALL_CHECK_SECONDS',
  'WORKER_PORT',
  'WORKER_QUEUES',
  // The speech engines' own (TTS_ENGINE, TTS_VOICE…, PIPER_VOICES): each engine declares them.
  ...TTS_VARIABLES,
] as const;

export type Variable = (typeof CONFIG_VARIABLES)[number];

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
