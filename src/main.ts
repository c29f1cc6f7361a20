import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import pino from 'pino';
import type { DeliveryTarget } from '../flows/index.js';
import { ffmpegBinaries } from './audio/ffmpeg.js';
import { type BookServiceDeps, createBookService } from './books/book-service.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { StartError } from './data-dir-lock.js';
import { createEngineOutages } from './db/engine-outage-queries.js';
import { createEventHub } from './events/event-hub.js';
import { createEventQueries } from './events/event-queries.js';
import { startVoiceEvents } from './events/voice-events.js';
import { buildApp } from './http/app.js';
import { buildProbeApp } from './http/probe-app.js';
import type { ReadinessSources } from './http/service-routes.js';
import { watchQueuesAndBooks } from './metrics/metrics.js';
import { assertPortFree } from './net.js';
import { type Infrastructure, openInfrastructure } from './runtime.js';
import { COMPILED } from './source-files.js';
import { createTtsEngine } from './tts/engines.js';
import { reloadableEngine } from './tts/reloadable-engine.js';
import type { TtsEngine } from './tts/tts-engine.js';
import { voicesDir } from './tts/voice-folders.js';
import { createVoiceInstalls } from './voices/voice-installs.js';
import { watchVoices } from './voices/voice-watch.js';

/** api: HTTP only (a pure producer); worker: consumers only; all: both, for one machine. */
export type Mode = 'api' | 'worker' | 'all';

export async function main(mode: Mode): Promise<void> {
  const config = configOrExit(mode !== 'worker');
  // Pretty in a terminal; JSON lines everywhere else (files, collectors, compose).
  const pretty = process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {};
  const log = pino({ level: config.logLevel, base: { mode }, ...pretty });
  if (mode !== 'all' && !config.databaseUrl) {
    log.fatal(
      'DATABASE_URL is required when the API and workers run as separate processes (npm start embeds one)',
    );
    process.exit(2);
  }
  const service = createService(mode, config, log);
  stopOnSignals(config, log, service.close);
  await service.start().catch((err: Error) => failStart(config, log, err, service.close));
}

/**
 * The process's part (`mode`) on `config`: `start()` opens the infrastructure and
 * starts the API and/or workers, answering the API's address; `close()` stops
 * whatever has started, at any point (a signal may come mid-start). `main` runs
 * it as a service; the CLI runs it in-process (cli/embedded-service.ts).
 */
export function createService(mode: Mode, config: Config, log: FastifyBaseLogger) {
  let infra: Infrastructure | undefined;
  let app: FastifyInstance | undefined;
  let probes: FastifyInstance | undefined;
  let workers: { stop(): Promise<void> } | undefined;
  let unwatch: (() => Promise<void>) | undefined;
  const close = async () => {
    await unwatch?.();
    await probes?.close();
    await app?.close();
    await infra?.close();
    await workers?.stop();
  };
  async function start(): Promise<string | undefined> {
    if (mode !== 'worker') await assertPortFree(config.host, config.port);
    infra = await openInfrastructure(config, log);
    // The API only reads the engine's voices; workers open sessions with it. Voices installed
    // for the fleet arrive while it runs: the engines are built again with them.
    const tts = reloadableEngine(() => createTtsEngine(config.tts, config.readInstalledEngines()));
    unwatch = await watchVoices({
      ...infra,
      listen: infra.database.listen,
      dir: voicesDir(config.dataDir),
      reload: tts.reload,
      log,
    });
    if (mode !== 'api') {
      // Loaded only here, so the API process never even loads consumer code.
      const { startWorkerMode } = await import('./workers/worker-mode.js');
      workers = startWorkerMode(config, infra, tts, log);
    }
    if (mode !== 'worker') app = await startApi(config, infra, tts, log);
    if (mode !== 'api' && config.workerPort) probes = await startProbes(config, infra, tts);
    const url = app && `http://${config.host}:${(app.server.address() as AddressInfo).port}`;
    log.info({ ...startupSummary(mode, config, tts), url }, 'bookflow started');
    return url;
  }
  return { start, close };
}

/** A worker's own /health, /ready and /metrics on WORKER_PORT (see http/probe-app.ts). */
async function startProbes(
  config: Config,
  infra: Infrastructure,
  tts: TtsEngine,
): Promise<FastifyInstance> {
  const probes = await buildProbeApp({
    readiness: readinessSources(infra, tts),
    metricsToken: config.metricsToken,
  });
  // All interfaces: the cluster's probes and scrapers call it from outside the pod or container.
  await probes.listen({ host: '0.0.0.0', port: config.workerPort });
  return probes;
}

const readinessSources = (infra: Infrastructure, tts: TtsEngine): ReadinessSources => ({
  probes: { database: infra.database.ping, queues: infra.queues.ping, storage: infra.storage.ping },
  engineOutage: createEngineOutages(infra.database.db, tts.name).current,
});

/** What a person checks first: what runs, where, on what. Passwords are left out. */
function startupSummary(mode: Mode, config: Config, tts: TtsEngine) {
  const hidePassword = (url: string) => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  return {
    url: mode === 'worker' ? undefined : `http://${config.host}:${config.port}`,
    dataDir: config.dataDir,
    database: config.databaseUrl ? hidePassword(config.databaseUrl) : 'embedded, under DATA_DIR',
    queues: config.redisUrl ? `redis ${hidePassword(config.redisUrl)}` : 'postgresql',
    storage: config.s3 ? `s3 bucket ${config.s3.bucket}` : 'local, under DATA_DIR',
    tts: tts.name,
    ffmpeg: mode === 'api' ? undefined : ffmpegBinaries().ffmpeg,
    // Compiled JavaScript (dist/, `npm run build`) or TypeScript through tsx (launch.mjs).
    code: COMPILED ? 'compiled' : 'typescript',
  };
}

/** A start that cannot go on: one line saying why, everything started so far stopped, exit 1. */
async function failStart(
  config: Config,
  log: FastifyBaseLogger,
  err: Error & { code?: string },
  close: () => Promise<void>,
): Promise<never> {
  if (err.code === 'EADDRINUSE') log.fatal(`port ${config.port} is in use; set PORT`);
  else if (err instanceof StartError) log.fatal(err.message);
  else log.fatal({ err }, 'could not start');
  await close();
  process.exit(1);
}

function configOrExit(servesApi: boolean): Config {
  try {
    return loadConfig(process.env, { servesApi });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bookflow: ${err.message}\n`);
    process.exit(2);
  }
}

/** What the API is told: its limits, who may call it, where READY books may go. */
export type ApiSettings = Pick<
  Config,
  | 'maxUploadBytes'
  | 'bodyTimeoutMs'
  | 'bodyIdleTimeoutMs'
  | 'apiTokens'
  | 'apiRateLimit'
  | 'metricsToken'
  | 'voiceSources'
> &
  Pick<BookServiceDeps, 'deliveryTargets'>;

/**
 * The API on the infrastructure: the catalogue service, the event hub and the Fastify app,
 * not yet listening. The one wiring of the API, for `npm start`, `npm run api` and the
 * tests' `app.inject` (test/support/test-app.ts).
 */
export async function buildApi(
  infra: Infrastructure,
  tts: TtsEngine,
  settings: ApiSettings,
  fastify: FastifyServerOptions = {},
): Promise<FastifyInstance> {
  watchQueuesAndBooks(infra.queues, infra.books);
  const service = createBookService({
    ...infra,
    voices: () => tts.voices,
    maxUploadBytes: settings.maxUploadBytes,
    deliveryTargets: settings.deliveryTargets,
  });
  const events = createEventHub({
    listen: infra.database.listen,
    events: createEventQueries(infra.database.db),
    progress: infra.books.progressOf,
  });
  await events.start();
  const voices = {
    installs: createVoiceInstalls({
      books: infra.books,
      jobs: infra.jobs,
      sources: settings.voiceSources,
      offered: () => tts.voices,
    }),
    events: await startVoiceEvents({ listen: infra.database.listen, books: infra.books }),
  };
  return buildApp(
    {
      service,
      events,
      voices,
      engine: tts,
      maxUploadBytes: settings.maxUploadBytes,
      bodyTimeoutMs: settings.bodyTimeoutMs,
      bodyIdleTimeoutMs: settings.bodyIdleTimeoutMs,
      readiness: readinessSources(infra, tts),
      access: { tokens: settings.apiTokens, rate: settings.apiRateLimit },
      metricsToken: settings.metricsToken,
      dashboardQueues: infra.queues,
    },
    fastify,
  );
}

async function startApi(
  config: Config,
  infra: Infrastructure,
  tts: TtsEngine,
  log: FastifyBaseLogger,
): Promise<FastifyInstance> {
  const deliveryTargets: DeliveryTarget[] = config.abs ? ['abs'] : [];
  const app = await buildApi(infra, tts, { ...config, deliveryTargets }, { loggerInstance: log });
  if (config.apiTokens.length === 0) {
    log.warn(
      `no API_TOKENS: the API is open to anyone on this machine, so it listens on ${config.host} only`,
    );
  }
  await app.listen({ host: config.host, port: config.port });
  return app;
}

function stopOnSignals(config: Config, log: FastifyBaseLogger, close: () => Promise<void>) {
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    // A signal to the process group can arrive twice (directly, and relayed by npm/tsx).
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Also keeps the event loop alive: a close step waiting on a dead socket must not end the process early.
    setTimeout(() => {
      log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    await close();
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // An error nothing caught still stops the embedded PostgreSQL and the workers, then exits 1.
  const crash = (err: unknown) => {
    log.fatal({ err }, 'uncaught error');
    void stop('uncaught error', 1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
