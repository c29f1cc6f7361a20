import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.js';
import { createEngineOutages, type EngineOutages } from '../db/engine-outage-queries.js';
import type { QueueBackend } from '../queue/queue-backend.js';
import { EngineUnavailableError, type TtsEngine } from '../tts/tts-engine.js';

export interface EngineBreakerDeps {
  /** The engine's smallest request (TtsEngine.probe); without one the breaker never opens. */
  probe: (() => Promise<void>) | undefined;
  /** Holds the whole speech queue back for `ms`, in every worker process (queue.rateLimit). */
  hold(ms: number): Promise<void>;
  outages: Pick<EngineOutages, 'began' | 'ended'>;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** How often a down engine is asked again; the queue is held for twice that each time. */
  probeEveryMs?: number;
}

export type EngineBreaker = ReturnType<typeof createEngineBreaker>;

/**
 * A circuit breaker for the speech engine. When a chapter fails because the engine
 * could not be reached (EngineUnavailableError) and a probe agrees that it is down for
 * everyone, the speech queue is held back as a whole (BullMQ's queue rate limit, so every
 * worker process stops taking chapters) and the chapter goes back to the queue without
 * spending an attempt. The engine is then probed every second and the hold renewed until
 * it answers; the hold lapses within two seconds after that. A failure the probe does not
 * confirm (one text that times out while others are spoken) is the chapter's own.
 */
export function createEngineBreaker(deps: EngineBreakerDeps) {
  const every = deps.probeEveryMs ?? 1000;
  let down: { since: number; reason: string } | undefined;
  let stopped = false;

  /** Why the engine is down, or undefined when it answers the probe. */
  async function probeFails(): Promise<string | undefined> {
    try {
      await deps.probe?.();
      return undefined;
    } catch (err) {
      if (err instanceof EngineUnavailableError) return err.message;
      return undefined; // it answered, if strangely: not an outage
    }
  }

  function hold(): Promise<void> {
    return deps.hold(every * 2).catch((err: Error) => {
      deps.log.warn({ err: err.message }, 'could not hold the speech queue back');
    });
  }

  function open(reason: string): void {
    down = { since: Date.now(), reason };
    deps.log.error(
      { since: new Date(down.since).toISOString(), reason },
      `speech engine down: chapters wait, unfailed, until it answers (${reason})`,
    );
    deps.outages.began(reason).catch((err: Error) => {
      deps.log.warn({ err: err.message }, 'could not record the engine outage');
    });
    void watch();
  }

  function close(): void {
    if (!down) return;
    const seconds = Math.round((Date.now() - down.since) / 1000);
    down = undefined;
    deps.log.info({ downForSec: seconds }, `speech engine answers again after ${seconds} s`);
    deps.outages.ended().catch((err: Error) => {
      deps.log.warn({ err: err.message }, 'could not record the end of the engine outage');
    });
  }

  /** While down: ask the engine every `every` ms, holding the queue back until it answers. */
  async function watch(): Promise<void> {
    while (down && !stopped) {
      await sleep(every);
      if (stopped || !down) return;
      if ((await probeFails()) === undefined) close();
      else await hold();
    }
  }

  /**
   * Whether a chapter's failure is the engine being down for everyone. If so the queue is
   * held back and the caller gives the job back unfailed; if not, it fails as usual.
   */
  async function heldBack(err: Error): Promise<boolean> {
    if (!deps.probe || stopped || !(err instanceof EngineUnavailableError)) return false;
    if (!down) {
      const reason = await probeFails();
      if (reason === undefined) return false;
      if (!down) open(reason);
    }
    await hold();
    return true;
  }

  return {
    heldBack,
    stop: () => {
      stopped = true;
    },
  };
}

/** A worker process's breaker: its engine's probe, the speech queue's hold, the outage record. */
export function engineBreakerFor(
  tts: Pick<TtsEngine, 'name' | 'probe'>,
  queues: Pick<QueueBackend, 'queue'>,
  db: Db,
  log: EngineBreakerDeps['log'],
): EngineBreaker {
  return createEngineBreaker({
    probe: tts.probe,
    hold: (ms) => queues.queue('tts').rateLimit(ms),
    outages: createEngineOutages(db, tts.name),
    log,
  });
}
