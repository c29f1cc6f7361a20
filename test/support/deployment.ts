import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openQueueBackend, type QueueBackend } from '../../src/queue/queue-backend.js';
import { normalizeForSpeech } from '../../src/text/speech-text.js';
import { toWav } from '../../src/tts/wav.js';
import { apiClient } from './api-client.js';
import { REPO } from './fixtures.js';
import { freePort, type ServiceProcess, startService } from './processes.js';
import {
  clearRedisPrefix,
  createTestDatabase,
  REDIS_URL,
  type S3Server,
  startS3Server,
  tempDir,
  uniqueName,
} from './services.js';

const TSX = createRequire(import.meta.url).resolve('tsx');

/** TTS_COMMAND for the stand-in speech program in test/fixtures/flaky-tts.ts. */
export const FLAKY_TTS = `'${process.execPath}' --import '${TSX}' '${path.join(REPO, 'test/fixtures/flaky-tts.ts')}'`;

/**
 * One test file's own deployment of the service: its own database, queue
 * prefix (or schema), data directory and, if asked, S3 server. Processes are
 * started on demand; `stop()` removes everything, so the suite can run again.
 */
export interface Deployment {
  api: ReturnType<typeof apiClient>;
  dir: string;
  databaseUrl: string;
  prefix: string;
  env: Record<string, string>;
  s3: S3Server | undefined;
  processes: ServiceProcess[];
  start(entry: 'api' | 'worker', extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  /** The test's own queue clients on this deployment's queues (closed by stop()). */
  queues(): Promise<QueueBackend>;
  stop(): Promise<void>;
}

export async function createDeployment(
  opts: {
    redis?: boolean;
    s3?: boolean;
    env?: (dir: string) => Record<string, string>;
    /** A Redis or PostgreSQL the test owns (to stop and restart it), instead of the shared one. */
    redisUrl?: string;
    databaseUrl?: string;
  } = {},
): Promise<Deployment> {
  const redis = opts.redis ?? true;
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const ownDatabase = opts.databaseUrl;
  const [db, dir, s3] = await Promise.all([
    ownDatabase ? { url: ownDatabase, drop: async () => {} } : createTestDatabase(),
    tempDir(),
    opts.s3 ? startS3Server() : undefined,
  ]);
  await fs.mkdir(path.join(dir, 'tmp'));
  const port = await freePort();
  const prefix = uniqueName('bf');
  const env: Record<string, string> = {
    ...s3?.env,
    ...(redis ? { REDIS_URL: redisUrl } : {}),
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    DATA_DIR: dir,
    // The processes' scratch folders, where a test can see that none is left behind.
    TMPDIR: path.join(dir, 'tmp'),
    ...opts.env?.(dir),
  };
  const processes: ServiceProcess[] = [];
  let queues: Promise<QueueBackend> | undefined;
  return {
    api: apiClient(`http://127.0.0.1:${port}`),
    dir,
    databaseUrl: db.url,
    prefix,
    env,
    s3,
    processes,
    async start(entry, extraEnv = {}) {
      const p = await startService(entry, { ...env, ...extraEnv });
      processes.push(p);
      return p;
    },
    queues() {
      queues ??= openQueueBackend({
        redisUrl: redis ? redisUrl : undefined,
        databaseUrl: db.url,
        namespace: prefix,
      });
      return queues;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
      await (await queues)?.close();
      if (redis) await clearRedisPrefix(prefix, redisUrl);
      await Promise.all([db.drop(), s3?.close(), fs.rm(dir, { recursive: true, force: true })]);
    },
  };
}

/**
 * TTS_COMMAND for the shell stand-in in test/fixtures/tone-tts.sh: fast, and
 * its log (`syntheses(dir)`) counts only syntheses carried to completion.
 * `delaySec` makes each request take that long, so a test can act mid-chapter.
 */
export function toneTts(dir: string, delaySec = 0): Record<string, string> {
  return {
    TTS_COMMAND: path.join(REPO, 'test/fixtures/tone-tts.sh'),
    TONE_WAV: path.join(dir, 'tone.wav'),
    TONE_LOG: path.join(dir, 'syntheses.log'),
    TONE_DELAY: String(delaySec),
  };
}

/** Writes the stand-in's answer: a quarter-second tone. */
export async function writeTone(dir: string): Promise<void> {
  const rate = 16000;
  const data = Buffer.alloc(rate / 2);
  for (let i = 0; i < rate / 4; i++)
    data.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  await fs.writeFile(path.join(dir, 'tone.wav'), toWav({ sampleRate: rate, channels: 1, data }));
}

/** A made book's title as the engine is sent it: "Kill chapter 1" → "Kill chapter one". */
export const said = (title: string) => normalizeForSpeech(title, 'en', true);

/** How many times each text was synthesized to completion by the tone stand-in. */
export async function syntheses(dir: string): Promise<Map<string, number>> {
  const log = await fs.readFile(path.join(dir, 'syntheses.log'), 'utf8').catch(() => '');
  const counts = new Map<string, number>();
  for (const line of log.split('\n').filter(Boolean))
    counts.set(line.trim(), (counts.get(line.trim()) ?? 0) + 1);
  return counts;
}
