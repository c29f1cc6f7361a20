import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSystemEspeakEngine } from '../../src/tts/espeak-engine.js';
import { TransientTtsError } from '../../src/tts/openai-engine.js';
import { EngineUnavailableError, PermanentTtsError } from '../../src/tts/tts-engine.js';
import { createEngineBreaker } from '../../src/workers/engine-breaker.js';

/** A breaker whose engine is up or down as the test says, recording what it does. */
function breakerOver(engineUp: () => boolean) {
  const seen = { probes: 0, holds: [] as number[], outages: [] as string[], ended: 0 };
  const quiet = () => {};
  const breaker = createEngineBreaker({
    probe: async () => {
      seen.probes++;
      if (!engineUp()) throw new EngineUnavailableError('the speech server is unreachable');
    },
    hold: async (ms) => {
      seen.holds.push(ms);
    },
    outages: {
      began: async (reason) => {
        seen.outages.push(reason);
      },
      ended: async () => {
        seen.ended++;
      },
    },
    log: { info: quiet, warn: quiet, error: quiet },
    probeEveryMs: 20,
  });
  return { breaker, seen };
}

describe('the speech engine breaker', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('lets a chapter fail on its own when the engine still answers the probe', async () => {
    const { breaker, seen } = breakerOver(() => true);
    stops.push(breaker.stop);
    expect(await breaker.heldBack(new EngineUnavailableError('one text timed out'))).toBe(false);
    expect(seen).toMatchObject({ probes: 1, holds: [], outages: [] });
  });

  it('never holds for failures that are not the engine being unreachable', async () => {
    const { breaker, seen } = breakerOver(() => false);
    stops.push(breaker.stop);
    for (const err of [
      new PermanentTtsError('the speech server refused the request (400): bad voice'),
      new TransientTtsError('the speech server answered 500: oops'),
      new Error('ffmpeg crashed'),
    ]) {
      expect(await breaker.heldBack(err)).toBe(false);
    }
    expect(seen.probes).toBe(0);
  });

  it('holds the queue while the engine is down, records the outage once, and ends it when it answers', async () => {
    let up = false;
    const { breaker, seen } = breakerOver(() => up);
    stops.push(breaker.stop);
    const down = new EngineUnavailableError('the speech server is unreachable: ECONNREFUSED');
    expect(await breaker.heldBack(down)).toBe(true);
    // A second chapter failing meanwhile is held too, without opening a second outage.
    expect(await breaker.heldBack(down)).toBe(true);
    expect(seen.outages).toEqual(['the speech server is unreachable']);
    await sleep(150);
    const probesWhileDown = seen.probes;
    expect(probesWhileDown).toBeGreaterThan(3);
    // Each hold outlasts the next probe, so the queue never runs while the engine is down.
    expect(seen.holds.every((ms) => ms === 40)).toBe(true);
    expect(seen.holds.length).toBeGreaterThan(3);

    up = true;
    await sleep(60);
    expect(seen.ended).toBe(1);
    const holds = seen.holds.length;
    await sleep(100);
    // Once up, the breaker neither probes nor holds again.
    expect(seen.holds.length).toBe(holds);
    expect(seen.probes - probesWhileDown).toBeLessThanOrEqual(2);
  });

  it('is off for engines without a probe (local engines)', async () => {
    const breaker = createEngineBreaker({
      probe: undefined,
      hold: async () => {
        throw new Error('must not hold');
      },
      outages: { began: async () => {}, ended: async () => {} },
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    expect(await breaker.heldBack(new EngineUnavailableError('x'))).toBe(false);
  });
});

describe('a broken local espeak-ng binary', () => {
  it('is a permanent failure naming the binary, not an outage to wait out', async () => {
    const engine = createSystemEspeakEngine('/bin/false');
    expect(engine.probe).toBeUndefined();
    const session = engine.open({ language: 'en', voice: 'en', speed: 1 });
    const err = await session.synthesize('Hello there.').catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentTtsError);
    expect((err as Error).message).toMatch(
      /^espeak-ng \(\/bin\/false\): speech command failed \(exit 1\)/,
    );
  });
});
