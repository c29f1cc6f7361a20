import { describe, expect, it } from 'vitest';
import { EpubError, MAX_ELEMENT_DEPTH } from '../../src/epub/epub-limits.js';
import { extractText } from '../../src/epub/epub-text.js';
import { findAll, parseHtml, parseXml, tagsBalanced, textOf } from '../../src/epub/xml.js';
import { quote, stripUnspeakable } from '../../src/text/clean-text.js';

describe('markup limits and text cleaning', () => {
  it('refuses markup nested past the limit, naming the document', () => {
    const deep = (n: number) => `${'<div>'.repeat(n)}x${'</div>'.repeat(n)}`;
    expect(() => parseHtml(deep(MAX_ELEMENT_DEPTH + 5), 'OEBPS/a.xhtml')).toThrow(EpubError);
    expect(() => parseXml(deep(MAX_ELEMENT_DEPTH + 5), 'toc.ncx')).toThrow(
      /^toc\.ncx nests elements more than 1,000 deep/,
    );
  });

  it('calls markup nested past the limit as XML unbalanced, and reads it as HTML', () => {
    // Found by the fuzz test: tags inside a <title> (text to HTML) nest as XML; the check
    // followed 95,000 of them for 9 s. Unclosed <br> nest as XML too, and a long poem has
    // thousands: read leniently, never refused.
    const inTitle = `<html><head><title>${'<navPoint>'.repeat(50_000)}</title></head><body/></html>`;
    expect(textOf(parseHtml(inTitle))).toContain('<navPoint>');
    const poem = `<html><body><div>${'A line,<br>'.repeat(5000)}</div></body></html>`;
    for (const doc of [inTitle, poem]) expect(tagsBalanced(doc)).toBe(false);
    expect(textOf(parseHtml(poem))).toContain('A line,');
    expect(tagsBalanced('<p>a<br/><i>b</i></p>')).toBe(true);
    expect(tagsBalanced('<p>a<i>b</p>')).toBe(false);
  });

  it('walks the deepest allowed markup without recursion', () => {
    const n = MAX_ELEMENT_DEPTH - 1;
    const doc = parseHtml(
      `<body>${'<div><span>'.repeat(n / 2)}deep${'</span></div>'.repeat(n / 2)}</body>`,
    );
    expect(findAll(doc, 'span')).toHaveLength(Math.floor(n / 2));
    expect(textOf(doc)).toBe('deep');
    expect(extractText(doc, { startId: null, endId: null }).text).toBe('deep');
  });

  it.each([
    ['Nul\u0000Title', 'NulTitle'],
    ['bell\u0007 and escape\u001b', 'bell and escape'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
    ['lone \ud800 surrogate', 'lone  surrogate'],
    ['a pair 😀 stays', 'a pair 😀 stays'],
    ['non\ufffecharacter', 'noncharacter'],
  ])('strips what no column or engine takes: %j', (raw, clean) => {
    expect(stripUnspeakable(raw)).toBe(clean);
  });

  it('quotes at most a short prefix of what it refuses', () => {
    expect(quote('x'.repeat(10_000))).toBe(`"${'x'.repeat(40)}…"`);
    expect(quote('en')).toBe('"en"');
  });
});
