/**
 * Values computed at most once per `ttlMs` per key (concurrent misses share one
 * computation), so a value may be up to `ttlMs` old. Status endpoints polled by
 * many clients keep their encoded answers here; chapter jobs, their book's row.
 * Failures are never kept.
 */
export function createTtlCache<T>(ttlMs: number, maxEntries = 10_000) {
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
    /** Forgets the keys under `prefix` (a book's answers, after a retry or a cancel through the API). */
    invalidate(prefix: string): void {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },
  };
}
