export type TtlCache<T> = ReturnType<typeof createTtlCache<T>>;

interface Entry<T> {
  value: Promise<T>;
  expires: number;
  /** The value has resolved: it may be served stale while a fresh one is computed. */
  ready: boolean;
  refreshing: boolean;
}

/**
 * Values computed at most once per `ttlMs` per key (concurrent misses share one
 * computation). Once a value expires it is still served for up to another
 * `ttlMs` while one fresh computation runs in the background, so callers do not
 * wait on refreshes: a value is at most about 2 × `ttlMs` old. Status endpoints
 * polled by many clients keep their encoded answers here; chapter jobs, their
 * book's row. Failures are never kept.
 */
export function createTtlCache<T>(ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, Entry<T>>();

  const compute = (key: string, fn: () => Promise<T>): Entry<T> => {
    const entry: Entry<T> = {
      value: fn(),
      expires: Date.now() + ttlMs,
      ready: false,
      refreshing: false,
    };
    entry.value.then(
      () => {
        entry.ready = true;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry;
  };

  return {
    get(key: string, fn: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value;
      if (hit?.ready && hit.expires + ttlMs > now) {
        if (!hit.refreshing) {
          hit.refreshing = true;
          const next = compute(key, fn);
          next.value.then(
            () => entries.get(key) === hit && entries.set(key, next),
            () => {
              hit.refreshing = false;
            },
          );
        }
        return hit.value;
      }
      if (entries.size >= maxEntries) {
        for (const [k, e] of entries) if (e.expires + ttlMs <= now) entries.delete(k);
        if (entries.size >= maxEntries) entries.clear();
      }
      const entry = compute(key, fn);
      entries.set(key, entry);
      return entry.value;
    },
    /** Forgets the keys under `prefix` (a book's answers, after a retry or a cancel through the API). */
    invalidate(prefix: string): void {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },
  };
}
