import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTtlCache } from '../../src/books/ttl-cache.js';

describe('the TTL cache', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const counter = () => {
    let calls = 0;
    return { fn: async () => ++calls, calls: () => calls };
  };

  it('computes once per TTL, sharing a computation between concurrent callers', async () => {
    const cache = createTtlCache<number>(500);
    const c = counter();
    expect(await Promise.all([cache.get('k', c.fn), cache.get('k', c.fn)])).toEqual([1, 1]);
    vi.advanceTimersByTime(499);
    expect(await cache.get('k', c.fn)).toBe(1);
    expect(c.calls()).toBe(1);
  });

  it('serves an expired value while one refresh runs, then the fresh one', async () => {
    const cache = createTtlCache<number>(500);
    const c = counter();
    await cache.get('k', c.fn);
    vi.advanceTimersByTime(600);
    // Two callers at once: both get the old value at once, and one refresh starts.
    expect(await Promise.all([cache.get('k', c.fn), cache.get('k', c.fn)])).toEqual([1, 1]);
    expect(c.calls()).toBe(2);
    expect(await cache.get('k', c.fn)).toBe(2);
  });

  it('waits for a fresh value once the old one is more than two TTLs old', async () => {
    const cache = createTtlCache<number>(500);
    const c = counter();
    await cache.get('k', c.fn);
    vi.advanceTimersByTime(1001);
    expect(await cache.get('k', c.fn)).toBe(2);
  });

  it('keeps no failure, and forgets a prefix on demand', async () => {
    const cache = createTtlCache<number>(500);
    await expect(cache.get('a/1', async () => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(await cache.get('a/1', async () => 7)).toBe(7);
    cache.invalidate('a/');
    expect(await cache.get('a/1', async () => 8)).toBe(8);
  });
});
