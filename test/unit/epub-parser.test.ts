import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PG_LICENCE, PRINTED_CONTENTS } from '../../src/epub/boilerplate.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { extractText } from '../../src/epub/epub-text.js';
import { parseHtml } from '../../src/epub/xml.js';
import { fixture } from '../support/fixtures.js';
import { type BookParts, parseMadeBook } from '../support/poison-books.js';

/** MANIFEST.tsv describes each fixture: its language, and its title in the notes. */
function manifest(): { file: string; language: string; title: string | undefined }[] {
  const [header, ...rows] = fs.readFileSync(fixture('MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    const get = (name: string) => cells[cols.indexOf(name)] ?? '';
    return {
      file: get('file'),
      language: get('language'),
      title: /title: ([^\]]+)\]/.exec(get('notes'))?.[1]?.trim(),
    };
  });
}

/**
 * Expected chapters per book, derived from each book's TOC by the README's
 * chapter rules: [file, chapter count, first titles, last title, SKIPPED chapters].
 */
const EXPECTED: [string, number, string[], string, number[]][] = [
  // nav: one "SECTION IV" wrapper (merged into its first entry); author headings without links give way to their stories
  [
    'idpf-childrens-literature.epub',
    17,
    ['Bibliography', 'Introductory', '190 A Four-Leaved Clover'],
    '204 The King of the Golden River or the Black Brothers',
    [],
  ],
  // 316 entries, 7 levels: the top-level sections in the reading order, not 316 chapters
  [
    'idpf-epub30-spec.epub',
    9,
    ['EPUB 3.0 Specification', 'EPUB 3 Overview', 'EPUB Publications 3.0'],
    'EPUB 3 Changes from EPUB 2.0.1',
    [],
  ],
  // a lone top entry is opened up; its own introduction stays a chapter
  ['idpf-georgia-pls-ssml.epub', 10, ['Georgia', 'Climate and Soils', 'Minerals'], 'History', []],
  [
    'idpf-hefty-water.epub',
    3,
    ['The Switch', 'The Source', 'Hefty Ruby Water'],
    'Hefty Ruby Water',
    [],
  ],
  // 141 flat entries; the title page is an image; the transcriber's notes are not the book
  [
    'idpf-moby-dick.epub',
    141,
    ['Moby-Dick', 'Original Transcriber’s Notes:', 'Etymology.'],
    'Copyright Page',
    [1, 2],
  ],
  [
    'idpf-mymedia-lite-ja.epub',
    3,
    ['賢治の夢の世界', 'ファースト・ハンドの技術', 'いくばくかの創造力と想像力'],
    'いくばくかの創造力と想像力',
    [],
  ],
  // the cover page (a landmark) is not read; the title page is an image
  [
    'idpf-regime-anticancer-arabic.epub',
    2,
    ['Page de titre', 'Commencer la lecture'],
    'Commencer la lecture',
    [1],
  ],
  // the notes section is apparatus, not read aloud
  [
    'idpf-wasteland.epub',
    6,
    ['I. The Burial of the Dead', 'II. A Game of Chess', 'III. The Fire Sermon'],
    'Notes on "The Waste Land"',
    [6],
  ],
  [
    'pg-alice-single-file-epub2.epub',
    12,
    [
      'The "Storyland" Series',
      "Copyright, 1916, by SAM'L GABRIEL SONS & COMPANY NEW YORK",
      'I—Down the Rabbit-Hole',
    ],
    "X—Alice's Evidence",
    [],
  ],
  // 63 NCX entries, 62 of them #fragments inside 15 files. SKIPPED since the Gutenberg rules:
  // 1 is the Project Gutenberg header, then the title and a printed contents list (61 of its
  // 64 lines are chapter titles); 63 ("More Info") is the licence
  [
    'pg-pride-and-prejudice-epub2.epub',
    63,
    ['Pride and Prejudice', 'Chapter 1', 'Chapter 2'],
    'More Info',
    [1, 63],
  ],
  // the cover is non-linear, the printed TOC is a guide "toc" page; the promo page is an image
  [
    'pressbooks-metamorphosis-epub2.epub',
    6,
    ['Title Page', 'Copyright', 'Make your own books using PressBooks.com'],
    'Chapter III',
    [3],
  ],
  [
    'pressbooks-metamorphosis-utf16-opf-epub2.epub',
    5,
    ['Title Page', 'Copyright', 'Chapter I'],
    'Chapter III',
    [],
  ],
  // "The Art of War" only groups its 13 chapters; the endnotes are apparatus
  ['se-art-of-war.epub', 26, ['Titlepage', 'Imprint', 'Dedication'], 'Uncopyright', [24]],
  ['sigil-todo-es-mio-es-epub2.epub', 16, ['Todo es mío', 'Despertar', 'Vestidor'], 'Por qué', []],
  ['w3c-ocf-package-multiple.epub', 1, ['Link to main page'], 'Link to main page', []],
  [
    'w3c-pkg-spine-duplicate-item.epub',
    2,
    ['Link to first page', 'Link to second page'],
    'Link to second page',
    [],
  ],
  // the non-linear item is not read
  ['w3c-pkg-spine-nonlinear-activation.epub', 1, ['Link to main page'], 'Link to main page', []],
  // one TOC entry; the other three documents belong to it, in spine order
  ['w3c-pkg-spine-order.epub', 1, ['Link to main page'], 'Link to main page', []],
];

describe('parsing the real books', () => {
  const described = manifest();

  it('covers every book in the fixtures', () => {
    const files = described.filter((b) => !b.file.startsWith('broken/')).map((b) => b.file);
    expect([...EXPECTED.map((e) => e[0]), 'idpf-svg-in-spine.epub'].sort()).toEqual(files.sort());
  });

  it.each(EXPECTED)('%s: %i chapters', async (file, count, first, last, skipped) => {
    const book = await parseEpubFile(fixture(file));
    const meta = described.find((b) => b.file === file);
    expect(book.language).toBe(meta?.language);
    if (meta?.title) expect(book.title).toBe(meta.title);
    expect(book.chapters).toHaveLength(count);
    expect(book.chapters.slice(0, first.length).map((c) => c.title)).toEqual(first);
    expect(book.chapters.at(-1)?.title).toBe(last);
    expect(book.chapters.filter((c) => c.skipped).map((c) => c.n)).toEqual(skipped);
    for (const c of book.chapters.filter((c) => !c.skipped))
      expect(c.text).toMatch(/[\p{L}\p{N}]/u);
    expect(book.chapters.map((c) => c.n)).toEqual(book.chapters.map((_, i) => i + 1));
  });

  it('fails a book whose only content is pictures (SVG pages)', async () => {
    await expect(parseEpubFile(fixture('idpf-svg-in-spine.epub'))).rejects.toThrow(
      'the book has no speakable text',
    );
  });

  it('reads the spine in spine order, not file or manifest order', async () => {
    const book = await parseEpubFile(fixture('w3c-pkg-spine-order.epub'));
    const order = [...(book.chapters[0]?.text ?? '').matchAll(/This page must appear (\w+)/g)].map(
      (m) => m[1],
    );
    expect(order).toEqual(['first', 'second', 'third', 'last']);
  });

  it('reads a document the spine lists three times, three times', async () => {
    const book = await parseEpubFile(fixture('w3c-pkg-spine-duplicate-item.epub'));
    expect(book.chapters[1]?.text.match(/occurs three times/g)).toHaveLength(3);
  });

  it('follows a chapter boundary that points into the middle of a file (#fragment)', async () => {
    const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
    const titles = book.chapters.map((c) => c.title);
    expect(titles).toContain('Chapter 1');
    expect(titles).toContain('Chapter 61');
    const ch1 = book.chapters.find((c) => c.title === 'Chapter 1');
    expect(ch1?.text).toMatch(/^Chapter 1\s+It is a truth universally acknowledged/);
    expect(ch1?.text).not.toMatch(/Chapter 2/);
  });

  it('sets aside Project Gutenberg’s header and licence, and says so', async () => {
    const alice = await parseEpubFile(fixture('pg-alice-single-file-epub2.epub'));
    const first = alice.chapters[0]?.text ?? '';
    const last = alice.chapters.at(-1)?.text ?? '';
    // The header, its START fence and the volunteers' credit go; the book's own first page stays.
    expect(first).toMatch(/^THE "STORYLAND" SERIES/);
    expect(first).not.toMatch(/Project Gutenberg|Produced by|pgdp/);
    // The story ends where the book does, before "End of the Project Gutenberg EBook".
    expect(last).toMatch(/what a wonderful dream it had been\.$/);
    expect(last).not.toMatch(/Project Gutenberg|FULL LICENSE/);
    expect(alice.warnings).toEqual([
      'chapter 1 (The "Storyland" Series): the Project Gutenberg header before it is not read',
      "chapter 12 (X—Alice's Evidence): the Project Gutenberg licence after it is not read",
    ]);
    const pride = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
    expect(pride.chapters[0]?.skipped).toBe(PRINTED_CONTENTS);
    expect(pride.chapters.at(-1)?.skipped).toBe(PG_LICENCE);
    expect(pride.chapters.at(-2)?.text).toMatch(/uniting them\.$/);
  });

  it('reads the boilerplate all the same when the upload asks (boilerplate=keep)', async () => {
    const alice = await parseEpubFile(fixture('pg-alice-single-file-epub2.epub'), undefined, {
      altText: false,
      keepBoilerplate: true,
    });
    expect(alice.chapters[0]?.text).toMatch(/^The Project Gutenberg EBook of Alice in Wonderland/);
    expect(alice.warnings).toEqual([]);
  });

  it('keeps Arabic and Japanese text intact', async () => {
    const ar = await parseEpubFile(fixture('idpf-regime-anticancer-arabic.epub'));
    expect(ar.chapters.some((c) => /[\u0600-\u06FF]{5}/.test(c.text))).toBe(true);
    const ja = await parseEpubFile(fixture('idpf-mymedia-lite-ja.epub'));
    expect(ja.chapters.some((c) => /[\u3040-\u30FF\u4E00-\u9FFF]{5}/.test(c.text))).toBe(true);
  });
});

describe('parsing broken and hostile files', () => {
  it.each([
    ['broken/not-a-zip.epub', /not a valid EPUB \(not a ZIP archive/],
    ['broken/zero-bytes.epub', /not a valid EPUB/],
    ['broken/missing-container-xml.epub', /META-INF\/container\.xml is missing/],
    [
      'broken/container-points-to-missing-opf.epub',
      /package document OEBPS\/package\.opf .* was not found/,
    ],
    ['broken/empty-spine.epub', /spine is empty/],
    ['broken/drm-lcp-wasteland.epub', /DRM-protected/],
  ])('%s fails with a precise message', async (file, message) => {
    await expect(parseEpubFile(fixture(file))).rejects.toThrow(message);
  });

  it.each([
    ['broken/xxe-external-entity.epub', /OEBPS\/chapter1\.xhtml declares an external entity/],
    ['broken/zip-bomb-ish-5mb-zeros.epub', /OEBPS\/chapter2\.xhtml expands \d+:1 .* zip bomb/],
    ['broken/zip-path-traversal.epub', /points outside its folder \(\.\.\/\.\.\/evil\.txt\)/],
    [
      'broken/spine-missing-files.epub',
      /missing from the archive: OEBPS\/chapter2\.xhtml, OEBPS\/chapter3\.xhtml/,
    ],
    [
      'broken/real-malformed-ncx-alice.epub',
      /19033\/toc\.ncx is not well-formed XML \(a bare "&" at line \d+\)/,
    ],
  ])('%s is refused with a precise message', async (file, message) => {
    await expect(parseEpubFile(fixture(file))).rejects.toThrow(message);
  });
});

describe('the markup parser itself (defence in depth)', () => {
  it('never resolves an external entity, even where the refusal is bypassed', () => {
    const doc = parseHtml(
      '<!DOCTYPE html [<!ENTITY e SYSTEM "file:///etc/passwd">]><html><body><p>Hello &e; world</p></body></html>',
    );
    const { text } = extractText(doc, { startId: null, endId: null });
    expect(text).toContain('Hello');
    expect(text).not.toMatch(/root:/);
  });

  it('does not expand an entity bomb', () => {
    const lol = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`,
    ).join('');
    const doc = parseHtml(
      `<!DOCTYPE x [<!ENTITY l0 "lol">${lol}]><html><body><p>&l9;</p></body></html>`,
    );
    expect(extractText(doc, { startId: null, endId: null }).text.length).toBeLessThan(100);
  });
});

describe('text between two anchors', () => {
  const doc = parseHtml(
    `<html><body><section><h2 id="one">One</h2><p>First <em id="mid">part</em> goes on.</p>
     <aside epub:type="footnote"><p id="note">A note.</p><p>More note.</p></aside>
     <p>Still one.</p></section><section><h2 id="two">Two</h2><p>Second.</p></section></body></html>`,
  );
  const between = (startId: string | null, endId: string | null) =>
    extractText(doc, { startId, endId }).text;

  it('starts at the anchor, wherever it is nested, and keeps what follows in order', () => {
    expect(between('one', 'two')).toBe('One\n\nFirst part goes on.\n\nStill one.');
    expect(between('mid', 'two')).toBe('part goes on.\n\nStill one.');
    expect(between('two', null)).toBe('Two\n\nSecond.');
  });

  it('keeps skipped sections skipped when it starts inside one', () => {
    expect(between('note', 'two')).toBe('Still one.');
  });

  it('reads nothing from an anchor the document lacks', () => {
    expect(extractText(doc, { startId: 'missing', endId: null })).toMatchObject({
      text: '',
      ended: false,
    });
  });
});

/** Parses a hand-built book (support/poison-books.ts) from a scratch file. */
const made = parseMadeBook;

describe('spine items that are not XHTML', () => {
  const toc = '<li><a href="a.xhtml">One</a></li><li><a href="b.xml">Two</a></li>';

  it('are read through their manifest fallback chain, where the contents point', async () => {
    const book = await made('chain', {
      docs: {
        'a.xhtml': '<p>The first chapter.</p>',
        'b.xhtml': '<p>Read through the fallback.</p>',
      },
      raw: {
        'b.xml': { data: '<data/>', mediaType: 'application/xml', fallback: 'b.dtb' },
        'b.dtb': { data: '<dtb/>', mediaType: 'application/x-dtbook+xml', fallback: 'b.xhtml' },
      },
      spine: ['a.xhtml', 'b.xml'],
      toc,
    });
    expect(book.chapters.map((c) => [c.title, c.text])).toEqual([
      ['One', 'The first chapter.'],
      ['Two', 'Read through the fallback.'],
    ]);
  });

  it('fail with the loop named when the chain goes round', async () => {
    const parts: BookParts = {
      docs: { 'a.xhtml': '<p>The first chapter.</p>' },
      raw: {
        'b.xml': { data: '<data/>', mediaType: 'application/xml', fallback: 'c.xml' },
        'c.xml': { data: '<data/>', mediaType: 'application/xml', fallback: 'b.xml' },
      },
      spine: ['a.xhtml', 'b.xml'],
      toc,
    };
    await expect(made('loop', parts)).rejects.toThrow(
      "the manifest's fallback chain for OEBPS/b.xml loops: d1 → d2 → d1",
    );
  });

  it('are listed as not read when nothing in their chain is readable', async () => {
    const book = await made('none', {
      docs: { 'a.xhtml': '<p>The first chapter.</p>' },
      raw: { 'b.xml': { data: '<data/>', mediaType: 'application/xml' } },
      spine: ['a.xhtml', 'b.xml'],
      toc,
    });
    expect(book.chapters).toHaveLength(1);
    expect(book.warnings).toEqual([
      'not read: OEBPS/b.xml (application/xml), not a content document, with no fallback that is',
    ]);
  });
});

describe('content documents that are not well-formed XML', () => {
  it('are read leniently all the same, and named in what the book lists', async () => {
    const book = await made('lenient', {
      docs: {
        'a.xhtml': '<p>Well formed.</p>',
        'b.xhtml': '<p>An unclosed paragraph<p>and <b>crossed</p> tags</b>.</p>',
      },
    });
    expect(book.chapters[1]?.text).toMatch(/An unclosed paragraph/);
    expect(book.warnings).toEqual([
      'read leniently, not being well-formed XML (some text may be misplaced): OEBPS/b.xhtml',
    ]);
  });
});
