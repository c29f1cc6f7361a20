import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from './app.js';
import { createBookService } from './books/book-service.js';
import { ConfigError, loadConfig } from './config.js';
import { retryWhileUnavailable } from './db/db-retry.js';
import { openInfrastructure } from './runtime.js';
import { createTtsEngine } from './tts/create-tts-engine.js';

/** api: HTTP only (a pure producer); worker: consumers only; all: both, for one machine. */
export type Mode = 'api' | 'worker' | 'all';

export async function main(mode: Mode): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`bookflow: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { mode } });
  if (mode !== 'all' && !config.databaseUrl) {
    log.fatal(
      'DATABASE_URL is required when the API and workers run as separate processes (npm start embeds one)',
    );
    process.exit(2);
  }
  const infra = await openInfrastructure(config, log);
  // The API only reads the engine's voices; workers open sessions with it.
  const tts = createTtsEngine(config.tts);
  let app: FastifyInstance | undefined;
  if (mode !== 'api') {
    // Loaded only here, so the API process never even loads consumer code.
    const { startWorkers } = await import('./workers/worker-runtime.js');
    const { startReconciler } = await import('./workers/book-reconciler.js');
    log.info({ queues: config.workerQueues, tts: tts.name }, 'starting workers');
    const books = retryWhileUnavailable(infra.books, {
      deadlineMs: config.dbRetryMs,
      onRetry: (method, err) =>
        log.warn({ err: err.message }, `database unavailable; retrying ${method}`),
    });
    startWorkers(
      infra.queues,
      { ...infra, books, tts, ttsMaxChars: config.tts.maxChars, log },
      config.workerQueues,
      config,
    );
    // The processes that finish books also look for books that will never finish.
    if (config.workerQueues.includes('finalize'))
      startReconciler({ ...infra, books, log }, config.reconcile);
  }
  if (mode !== 'worker') {
    const service = createBookService({
      ...infra,
      voices: tts.voices,
      maxUploadBytes: config.maxUploadBytes,
    });
    app = await buildApp(
      {
        service,
        engine: tts,
        maxUploadBytes: config.maxUploadBytes,
        readiness: {
          database: infra.database.ping,
          queues: infra.queues.ping,
          storage: infra.storage.ping,
        },
        access: { tokens: config.apiTokens, rate: config.apiRateLimit },
      },
      { loggerInstance: log },
    );
    if (config.apiTokens.length === 0) {
      log.warn(
        `no API_TOKENS: the API is open to anyone on this machine, so it listens on ${config.host} only`,
      );
    }
    await app.listen({ host: config.host, port: config.port });
  }
  let stopping = false;
  const stop = async (signal: string) => {
    // A signal to the process group can arrive twice (directly, and relayed by npm/tsx).
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Also keeps the event loop alive: a close step waiting on a dead socket must not end the process early.
    setTimeout(() => {
      log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    await app?.close();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
