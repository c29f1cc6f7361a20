/**
 * Chapters, in order, grouped into parts of at most `maxSec` each, split only at chapter
 * boundaries; a chapter longer than that is a part of its own. Answers each part's
 * chapter indices; one part when the whole fits.
 */
export function partsOf(durations: number[], maxSec: number): number[][] {
  const parts: number[][] = [];
  let current: number[] = [];
  let length = 0;
  durations.forEach((d, i) => {
    if (current.length > 0 && length + d > maxSec) {
      parts.push(current);
      current = [];
      length = 0;
    }
    current.push(i);
    length += d;
  });
  if (current.length > 0) parts.push(current);
  return parts;
}
