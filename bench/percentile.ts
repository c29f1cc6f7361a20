/** The value `p` per cent of `values` are at or under (the nearest rank), to a tenth; NaN for none. */
export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return at === undefined ? Number.NaN : Math.round(at * 10) / 10;
}
