import { describe, expect, it } from 'vitest';
import { splitSegments } from '../../src/text/segments.js';

describe('synthesis segments', () => {
  it('keeps sentences of one paragraph together with a space, paragraphs with a blank line', () => {
    expect(splitSegments('One two three. Four five.\n\nSix.', 20)).toEqual([
      'One two three.',
      'Four five.\n\nSix.',
    ]);
  });

  it('keeps a short chapter in one segment', () => {
    expect(splitSegments('One. Two.\n\nThree.', 100)).toEqual(['One. Two.\n\nThree.']);
  });

  it('splits long text at sentence boundaries, never above the bound, losing nothing', () => {
    const text = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} ends here.`).join(' ');
    const segments = splitSegments(text, 500);
    expect(segments.length).toBeGreaterThan(10);
    expect(segments.every((s) => s.length <= 500)).toBe(true);
    expect(segments.every((s) => s.endsWith('ends here.'))).toBe(true);
    expect(segments.join(' ').replace(/\s+/g, ' ')).toBe(text);
  });

  it('splits Japanese, which has no spaces, at its full stops', () => {
    const text = 'これは文です。'.repeat(100);
    const segments = splitSegments(text, 50);
    expect(segments.every((s) => s.length <= 50 && s.endsWith('。'))).toBe(true);
    expect(segments.join('').replace(/\s/g, '')).toBe(text);
  });

  it('cuts a single over-long sentence at spaces', () => {
    const text = `${'word '.repeat(300)}end`;
    const segments = splitSegments(text, 100);
    expect(segments.every((s) => s.length <= 100)).toBe(true);
    expect(segments.join(' ').split(/\s+/)).toHaveLength(301);
  });
});
