import { describe, expect, it } from 'vitest';
import { timeLeft } from '../../src/cli/convert-command.js';

describe("the command line's time left", () => {
  it.each([
    [undefined, 10, '–'],
    [{ done: 0, total: 4, wordsDone: 0, wordsTotal: 8000 }, 30, '–'],
    // 2,000 words in 60 s: the 6,000 left take 3 minutes, whatever the chapters' count.
    [{ done: 3, total: 4, wordsDone: 2000, wordsTotal: 8000 }, 60, '3m 0s'],
    [{ done: 1, total: 40, wordsDone: 1000, wordsTotal: 121_000 }, 45, '1h 30m'],
    [{ done: 4, total: 4, wordsDone: 8000, wordsTotal: 8000 }, 240, '0s'],
  ])('%j after %i s: %s', (progress, elapsed, left) => {
    expect(timeLeft(progress, elapsed)).toBe(left);
  });
});
