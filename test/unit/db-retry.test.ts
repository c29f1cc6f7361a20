import { describe, expect, it } from 'vitest';
import { isUnavailable, retryWhileUnavailable } from '../../src/db/db-retry.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('retrying while the database is unavailable', () => {
  it('recognises an unreachable database, also when wrapped (drizzle wraps driver errors)', () => {
    expect(isUnavailable(refused())).toBe(true);
    expect(isUnavailable(new Error('query failed', { cause: { code: '57P01' } }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(new Error('plain'))).toBe(false);
  });

  it('retries a call until the database answers, and not other errors', async () => {
    let calls = 0;
    const retried: string[] = [];
    const queries = retryWhileUnavailable(
      {
        write: async (x: number) => {
          calls += 1;
          if (calls < 3) throw refused();
          return x * 2;
        },
        broken: async () => {
          throw new Error('syntax error');
        },
      },
      { deadlineMs: 10_000, onRetry: (method) => retried.push(method) },
    );
    expect(await queries.write(21)).toBe(42);
    expect(retried).toEqual(['write', 'write']);
    await expect(queries.broken()).rejects.toThrow('syntax error');
    expect(retried).toHaveLength(2);
  });

  it('gives up at the deadline', async () => {
    const queries = retryWhileUnavailable(
      { write: async () => Promise.reject(refused()) },
      { deadlineMs: 600, onRetry: () => {} },
    );
    await expect(queries.write()).rejects.toThrow(/ECONNREFUSED/);
  });
});
