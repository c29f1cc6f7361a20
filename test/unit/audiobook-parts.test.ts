import { describe, expect, it } from 'vitest';
import { partsOf } from '../../src/audio/audiobook-parts.js';

describe('a long book in parts, split at chapter boundaries', () => {
  it.each([
    ['all in one part when it fits', [10, 20, 30], 60, [[0, 1, 2]]],
    [
      'a new part when the next chapter would not fit',
      [30, 20, 30, 10],
      60,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    ['a chapter longer than a part is a part alone', [10, 90, 10], 60, [[0], [1], [2]]],
    [
      'exactly full parts',
      [30, 30, 30, 30],
      60,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    ['no chapters, no parts', [], 60, []],
  ])('%s', (_name, durations, max, parts) => {
    expect(partsOf(durations as number[], max as number)).toEqual(parts);
  });
});
