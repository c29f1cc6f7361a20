/** The environment as a process sees it. */
export type Env = Record<string, string | undefined>;

/**
 * Typed readers of the environment; each bad value is added to `problems`, with a
 * fallback, so every bad variable is reported at once. `Name` is the variables a reader
 * may read (config-readers.ts CONFIG_VARIABLES): the compiler holds every caller to them.
 */
export function envReaders<Name extends string>(env: Env, problems: string[]) {
  const str = (name: Name) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: Name, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const bool = (name: Name, fallback: boolean) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(raw)) return true;
    if (/^(0|false|no)$/i.test(raw)) return false;
    problems.push(`${name}=${raw} must be true or false`);
    return fallback;
  };
  const url = (name: Name, protocols: string[]) => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };
  /** `50/60s`: at most 50 per 60 seconds (ms, s or m). */
  const rate = (name: Name): { max: number; duration: number } | undefined => {
    const raw = str(name);
    if (!raw) return undefined;
    const m = /^(\d+)\/(\d+)(ms|s|m)$/.exec(raw);
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) {
      return {
        max: Number(m[1]),
        duration: Number(m[2]) * { ms: 1, s: 1000, m: 60_000 }[m[3] as 'ms'],
      };
    }
    problems.push(`${name}=${raw} must look like 50/60s (a count per period: ms, s or m)`);
    return undefined;
  };
  return { str, int, bool, url, rate, problems };
}

export type EnvReaders<Name extends string = string> = ReturnType<typeof envReaders<Name>>;
