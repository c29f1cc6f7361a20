/** Error codes of a database that is down, restarting or unreachable (Node, postgres.js, SQLSTATE). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** True when `err` (or what it wraps: drizzle wraps driver errors) says the database is unreachable. */
export function isUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string' && UNAVAILABLE.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * Wraps every method of `target` so a call made while the database is
 * unavailable is retried (backing off to 5 s) until it answers or `deadlineMs`
 * passes. Workers' status writes go through this: a database outage delays a
 * transition, it does not lose it or fail the job.
 */
export function retryWhileUnavailable<T extends object>(
  target: T,
  opts: { deadlineMs: number; onRetry(method: string, err: Error): void },
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      const deadline = Date.now() + opts.deadlineMs;
      for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
        try {
          return await value(...args);
        } catch (err) {
          if (!isUnavailable(err) || Date.now() + wait > deadline) throw err;
          opts.onRetry(name, err as Error);
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    };
  }
  return wrapped as T;
}
