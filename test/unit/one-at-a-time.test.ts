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
