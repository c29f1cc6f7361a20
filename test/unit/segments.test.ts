import { describe, expect, it } from 'vitest';
import { extractText } from '../../src/epub/epub-text.js';
import { parseHtml } from '../../src/epub/xml.js';
import { SCENE_BREAK, splitSegments } from '../../src/text/segments.js';

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

  it.each([['* * *'], ['***'], ['⁂'], ['~'], ['#']])(
    'makes a scene break (%s) a segment of its own, between what is said',
    (ornament) => {
      const text = `He left.\n\n${ornament}\n\nMorning came.`;
      expect(splitSegments(text, 100)).toEqual(['He left.', SCENE_BREAK, 'Morning came.']);
    },
  );

  it('keeps one break for several in a row, and none at the ends', () => {
    const text = '***\n\nHe left.\n\n* * *\n\n⁂\n\nMorning came.\n\n***';
    expect(splitSegments(text, 100)).toEqual(['He left.', SCENE_BREAK, 'Morning came.']);
  });

  it('reads an <hr> (from real EPUB markup) as a scene break', () => {
    const doc = parseHtml(
      '<body><p>He left.</p><hr class="transition"/><p>Morning came.</p></body>',
    );
    const { text } = extractText(doc, { startId: null, endId: null });
    expect(splitSegments(text, 100)).toEqual(['He left.', SCENE_BREAK, 'Morning came.']);
  });

  it('leaves asterisks inside a sentence alone', () => {
    expect(splitSegments('A *very* odd day.', 100)).toEqual(['A *very* odd day.']);
  });

  it('never ends a sentence after a title in capitals, or after Messrs.', () => {
    const text =
      'SEARCH FOR MR. HYDE. Then Messrs. Utterson and Enfield came to DR. JEKYLL. He sat.';
    expect(splitSegments(text, 1000, 'sentence')).toEqual([
      'SEARCH FOR MR. HYDE.',
      'Then Messrs. Utterson and Enfield came to DR. JEKYLL.',
      'He sat.',
    ]);
  });
});
