/** The value `p` per cent of `values` are at or under (the nearest rank); NaN for none. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The value `p` per cent of `values` are at or under, to a tenth; NaN for none. */
export const pct = (values: number[], p: number) => Math.round(nearestRank(values, p) * 10) / 10;

/** The middle value of `values` (the upper one of an even count), unrounded; NaN for none. */
export const median = (values: number[]) => nearestRank(values, 50);

/** A scenario's figures for one of its runs, named after it: `oneOwner` + `seedSec` → `oneOwnerSeedSec`. */
export const prefixed = (p: string, figures: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [`${p}${k[0]?.toUpperCase()}${k.slice(1)}`, v]),
  );
