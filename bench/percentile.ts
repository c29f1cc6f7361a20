/** The value `p` per cent of `values` are at or under (the nearest rank), to a tenth; NaN for none. */
export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return at === undefined ? Number.NaN : Math.round(at * 10) / 10;
}

/** The middle value of `values` (the upper one of an even count), unrounded; NaN for none. */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** A scenario's figures for one of its runs, named after it: `oneOwner` + `seedSec` → `oneOwnerSeedSec`. */
export const prefixed = (p: string, figures: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [`${p}${k[0]?.toUpperCase()}${k.slice(1)}`, v]),
  );
