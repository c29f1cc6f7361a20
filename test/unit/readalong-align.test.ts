import { describe, expect, it } from 'vitest';
import { clipsOf, piecesOf } from '../../src/epub/media-overlays.js';
import { alignText } from '../../src/epub/overlay-align.js';
import { comparableKey, documentText } from '../../src/epub/overlay-text.js';
import { rewritePackage } from '../../src/epub/readalong-package.js';

const page = (body: string) =>
  `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>${body}</body></html>`;

/** The body of `body` with the spans placed for `said`, each sentence said in order. */
function placed(body: string, said: string[]): string {
  const { sources } = alignText([documentText(page(body))], said.map(comparableKey), 's');
  return (sources[0] as string).replace(/^.*<body>|<\/body>.*$/g, '');
}

describe('placing the sentences said in the text', () => {
  it.each([
    [
      'one paragraph, two sentences',
      '<p>It rained. “Go,” she said.</p>',
      ['It rained.', '“Go,” she said.'],
      '<p><span id="s-1">It rained.</span> <span id="s-2">“Go,” she said.</span></p>',
    ],
    [
      'inline markup inside a sentence',
      '<p>He <em>ran</em> home.</p>',
      ['He ran home.'],
      '<p><span id="s-1">He <em>ran</em> home.</span></p>',
    ],
    [
      'a sentence that ends inside an element that goes on is left out',
      '<p>He said <em>no. Then</em> left.</p>',
      ['He said no.', 'Then left.'],
      '<p>He said <em>no. Then</em> left.</p>',
    ],
    [
      'a note marker, not read aloud, between two words',
      '<p>A word<a href="#n1" epub:type="noteref">1</a> here.</p>',
      ['A word here.'],
      '<p><span id="s-1">A word<a href="#n1" epub:type="noteref">1</a> here.</span></p>',
    ],
    [
      'character references, and punctuation written as one',
      '<p>Caf&#233; &amp; bar&#8221; end.</p>',
      ['Café & bar” end.'],
      '<p><span id="s-1">Caf&#233; &amp; bar&#8221; end.</span></p>',
    ],
    [
      'a title said first but written after the text it opens is not taken from there',
      '<p>An introduction that runs on a while.</p><h2>The Title</h2><p>Body.</p>',
      ['The Title', 'An introduction that runs on a while.', 'Body.'],
      '<p><span id="s-1">An introduction that runs on a while.</span></p><h2>The Title</h2><p><span id="s-2">Body.</span></p>',
    ],
    [
      'a text across two paragraphs is left out',
      '<p>One</p><p>two.</p>',
      ['One two.'],
      '<p>One</p><p>two.</p>',
    ],
  ])('%s', (_name, body, said, expected) => {
    expect(placed(body, said)).toBe(expected);
  });

  it('gives a sentence it could not place to the one before, and a chapter its first second', () => {
    const chapters = [
      {
        audio: 'a/1.m4a',
        durationSec: 9,
        cues: [
          { start: 0.1, end: 2, text: 'Heading said otherwise' },
          { start: 2, end: 5, text: 'First one. Second one.' },
          { start: 5, end: 9, text: 'Not in the text.' },
        ],
      },
    ];
    const pieces = piecesOf(chapters);
    // The second cue holds two sentences: its time is shared by their letters (8 and 9).
    expect(pieces.map((p) => [p.text, +p.begin.toFixed(3)])).toEqual([
      ['Heading said otherwise', 0.1],
      ['First one.', 2],
      ['Second one.', 3.412],
      ['Not in the text.', 5],
    ]);
    const { placed } = alignText(
      [documentText(page('<p>First one. Second one.</p>'))],
      pieces.map((p) => comparableKey(p.text)),
      's',
    );
    expect(
      clipsOf(placed, pieces, chapters).map((c) => [c.id, +c.begin.toFixed(3), +c.end.toFixed(3)]),
    ).toEqual([
      ['s-1', 0, 3.412],
      ['s-2', 3.412, 9],
    ]);
  });
});

describe('the package as EPUB 3 with overlays', () => {
  const epub2 = `<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:creator opf:role="aut" opf:file-as="Carroll, Lewis">Lewis Carroll</dc:creator>
    <dc:date opf:event="publication">1865</dc:date>
    <dc:date opf:event="conversion">2010</dc:date>
  </metadata>
  <manifest>
    <item id="c1" href="text/c1.xhtml" media-type="application/xhtml+xml"/>
    <item id="img" href="cover.jpg" media-type="image/jpeg"/>
  </manifest>
  <spine toc="ncx"><itemref idref="c1"/></spine>
  <guide><reference type="cover" href="cover.jpg"/></guide>
</package>`;

  it('says version 3.0, drops what EPUB 3 forbids, and links the overlays and their durations', () => {
    const out = rewritePackage(epub2, 'OEBPS/content.opf', {
      added: [
        { id: 'bf-overlay-1', path: 'bookflow/overlays/1.smil', mediaType: 'application/smil+xml' },
      ],
      documents: new Set(['OEBPS/text/c1.xhtml']),
      overlays: new Map([['c1', 'bf-overlay-1']]),
      properties: new Map([['c1', ['svg']]]),
      durations: new Map([['bf-overlay-1', 61.5]]),
      totalSec: 61.5,
      modified: new Date('2026-12-01T10:00:00.123Z'),
    });
    expect(out).toMatch(/<package [^>]*version="3\.0"/);
    expect(out).not.toMatch(/opf:role|opf:event|<guide|2010/);
    expect(out).toContain('<dc:creator>Lewis Carroll</dc:creator>');
    expect(out).toContain(
      '<item id="c1" href="text/c1.xhtml" media-type="application/xhtml+xml" properties="svg" media-overlay="bf-overlay-1"/>',
    );
    expect(out).toContain(
      '<item id="bf-overlay-1" href="../bookflow/overlays/1.smil" media-type="application/smil+xml"/>',
    );
    expect(out).toContain('<meta property="dcterms:modified">2026-12-01T10:00:00Z</meta>');
    expect(out).toContain(
      '<meta property="media:duration" refines="#bf-overlay-1">0:01:01.500</meta>',
    );
    expect(out).toContain('<meta property="media:active-class">-epub-media-overlay-active</meta>');
  });
});
