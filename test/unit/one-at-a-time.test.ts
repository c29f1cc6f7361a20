import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oneAtATimePerCore } from '../../src/thread-entry.js';

describe('one task per core at a time', () => {
  it('runs no more tasks at once than there are cores, and starts them in the order they came', async () => {
    const cores = os.availableParallelism();
    const inTurn = oneAtATimePerCore<number>();
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      if (i === 1) throw new Error('a task that fails frees its turn too');
      return i;
    };
    const count = cores * 3 + 1;
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => inTurn(task(i))),
    );
    expect(most).toBe(cores);
    expect(started).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    // Every turn was given back: as many again run straight away.
    const again = Array.from({ length: cores }, (_, i) => inTurn(task(100 + i)));
    expect(started.slice(count)).toEqual(Array.from({ length: cores }, (_, i) => 100 + i));
    await Promise.all(again);
  });
});

describe('a task that runs long', () => {
  it('gives its turn to the next after yieldAfterMs, and runs on beside it', async () => {
    const cores = os.availableParallelism();
    const inTurn = oneAtATimePerCore<string>({ yieldAfterMs: 50 });
    let slowRunning = 0;
    const slowTask = async () => {
      slowRunning++;
      await sleep(400);
      slowRunning--;
      return 'slow';
    };
    const slow = Array.from({ length: cores }, () => inTurn(slowTask));
    const t0 = Date.now();
    let beside = 0;
    let waited = 0;
    const next = inTurn(async () => {
      waited = Date.now() - t0;
      beside = slowRunning;
      return 'next';
    });
    expect(await next).toBe('next');
    // It waited for the turn to be given (not started at once), and began beside the slow ones.
    expect(waited).toBeGreaterThanOrEqual(40);
    expect(beside).toBe(cores);
    expect(await Promise.all(slow)).toEqual(Array(cores).fill('slow'));
    // The slow tasks' turns were given back once, not twice: again no more than `cores` at once.
    let running = 0;
    let most = 0;
    const task = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      return 'quick';
    };
    await Promise.all(Array.from({ length: cores * 3 }, () => inTurn(task)));
    expect(most).toBe(cores);
  });
});
