import { describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from '../../src/time-limit.js';

describe('withTimeout', () => {
  it('answers what settles in time, its failure included', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    const failure = withTimeout(Promise.reject(new Error('refused')), 50);
    await expect(failure).rejects.toThrow('refused');
    await expect(failure).rejects.not.toBeInstanceOf(TimeoutError);
  });

  it('gives up with a TimeoutError on what does not', async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 20)).rejects.toBeInstanceOf(TimeoutError);
  });
});
