/**
 * Status endpoints are polled by many clients at once. Each book's answer is
 * computed at most once per `ttlMs` (concurrent misses share one computation)
 * and kept serialized and encoded, so a poll costs a map lookup: answers may
 * be up to `ttlMs` old. Failures are never kept.
 */
export function createResponseCache<T>(ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { expires: number; value: Promise<T> }>();
  return {
    get(key: string, compute: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      if (entries.size >= maxEntries) {
        for (const [k, e] of entries) if (e.expires <= now) entries.delete(k);
        if (entries.size >= maxEntries) entries.clear();
      }
      const value = compute();
      entries.set(key, { expires: now + ttlMs, value });
      value.catch(() => entries.delete(key));
      return value;
    },
    /** Forget a book's answers after a change made through the API itself (a retry, a cancel). */
    invalidate(prefix: string): void {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },
  };
}
