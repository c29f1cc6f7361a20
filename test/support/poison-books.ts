import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { type Entry, writeZip } from './epub-maker.js';

/** What a hand-built EPUB 3 may vary: documents, reading order, TOC, metadata, cover. */
export interface BookParts {
  title?: string;
  author?: string;
  /** Content documents by file name (under OEBPS/). */
  docs: Record<string, string>;
  /** File names in reading order (repeats allowed); all of `docs` by default. */
  spine?: string[];
  /** The nav document's `<ol>` contents; one entry per document by default. */
  toc?: string;
  cover?: { bytes: Buffer; mediaType: string };
  /**
   * Documents stored as they are (not wrapped in XHTML), with their manifest media type
   * and, if any, the file name of their manifest fallback.
   */
  raw?: Record<string, { data: string; mediaType: string; fallback?: string }>;
}

const xhtml = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>t</title></head><body>${body}</body></html>`;

export async function writeBook(file: string, parts: BookParts): Promise<void> {
  const raw = parts.raw ?? {};
  const names = [...Object.keys(parts.docs), ...Object.keys(raw)];
  const id = (name: string) => `d${names.indexOf(name)}`;
  const toc =
    parts.toc ?? names.map((n, i) => `<li><a href="${n}">Chapter ${i + 1}</a></li>`).join('');
  const cover = parts.cover
    ? `<item id="cover" href="cover.img" media-type="${parts.cover.mediaType}" properties="cover-image"/>`
    : '';
  const opf = `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">poison</dc:identifier><dc:title>${parts.title ?? 'A Book'}</dc:title><dc:creator>${parts.author ?? 'Someone'}</dc:creator><dc:language>en</dc:language></metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>${cover}${names.map((n) => `<item id="${id(n)}" href="${n}" media-type="${raw[n]?.mediaType ?? 'application/xhtml+xml'}"${raw[n]?.fallback ? ` fallback="${id(raw[n].fallback as string)}"` : ''}/>`).join('')}</manifest><spine>${(parts.spine ?? names).map((n) => `<itemref idref="${id(n)}"/>`).join('')}</spine></package>`;
  const entries: Entry[] = [
    { name: 'mimetype', data: Buffer.from('application/epub+zip') },
    {
      name: 'META-INF/container.xml',
      data: Buffer.from(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
    },
    { name: 'OEBPS/content.opf', data: Buffer.from(opf) },
    {
      name: 'OEBPS/nav.xhtml',
      data: Buffer.from(xhtml(`<nav epub:type="toc"><ol>${toc}</ol></nav>`)),
    },
    ...names.map((n) => ({
      name: path.posix.join('OEBPS', n),
      data: Buffer.from(raw[n]?.data ?? xhtml(parts.docs[n] as string)),
    })),
    ...(parts.cover ? [{ name: 'OEBPS/cover.img', data: parts.cover.bytes }] : []),
  ];
  await writeZip(file, entries);
}

/** A book made of `parts`, as the parser reads it (the file is removed after). */
export async function parseMadeBook(name: string, parts: BookParts) {
  const file = path.join(os.tmpdir(), `bookflow-made-${process.pid}-${name}.epub`);
  await writeBook(file, parts);
  try {
    return await parseEpubFile(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const para = (words: number) =>
  `<p>${'The rain in Spain stays mainly in the plain. '.repeat(Math.ceil(words / 9))}</p>`;

/** A PNG whose header claims 65535×65535 pixels, and nothing a decoder can use after it. */
function giantPngHeader(): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4);
  ihdr.writeUInt32BE(65535, 8);
  ihdr.writeUInt32BE(65535, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(6, 17);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ihdr,
    Buffer.alloc(64, 1),
  ]);
}

/**
 * One book of each class of poison the issue names, and what it must come to.
 * `READY` books are within the limits; the others end FAILED with the message.
 */
export const POISON_BOOKS: { name: string; parts: () => BookParts; outcome: 'READY' | RegExp }[] = [
  {
    name: 'deeply nested markup',
    parts: () => ({
      docs: { 'a.xhtml': `${'<div>'.repeat(50_000)}text${'</div>'.repeat(50_000)}` },
    }),
    outcome: /a\.xhtml nests elements more than 1,000 deep/,
  },
  {
    name: 'a 50,000-entry table of contents',
    parts: () => ({
      docs: { 'a.xhtml': para(50) },
      toc: Array.from(
        { length: 50_000 },
        (_, i) => `<li><a href="a.xhtml#p${i}">Part ${i}</a></li>`,
      ).join(''),
    }),
    outcome: /table of contents has 50,000 entries; the limit is 20,000/,
  },
  {
    name: 'a 100,000-deep table of contents',
    parts: () => ({
      docs: { 'a.xhtml': para(50) },
      toc: `${'<li><a href="a.xhtml">x</a><ol>'.repeat(100_000)}${'</ol></li>'.repeat(100_000)}`,
    }),
    outcome: /nav\.xhtml nests elements more than 1,000 deep/,
  },
  {
    name: '12,000 chapters, over MAX_CHAPTERS',
    parts: () => ({
      docs: {
        'a.xhtml': Array.from(
          { length: 12_000 },
          (_, i) => `<h2 id="c${i}">C ${i}</h2><p>Word ${i}.</p>`,
        ).join(''),
      },
      toc: Array.from(
        { length: 12_000 },
        (_, i) => `<li><a href="a.xhtml#c${i}">C ${i}</a></li>`,
      ).join(''),
    }),
    outcome: /this book has 12,000 chapters; the limit is 10,000 \(MAX_CHAPTERS\)/,
  },
  {
    name: 'a spine repeating a 2 MB document 10,000 times',
    parts: () => ({ docs: { 'a.xhtml': para(400_000) }, spine: Array(10_000).fill('a.xhtml') }),
    outcome:
      /reading order lists OEBPS\/a\.xhtml 10,000 times; one document may appear at most 10 times/,
  },
  {
    name: 'one enormous text node',
    parts: () => ({ docs: { 'a.xhtml': `<p>${'zzzzzzzzz '.repeat(4_000_000)}</p>` } }),
    outcome: /a\.xhtml is 38 MB of markup; one document may have at most 32 MB/,
  },
  {
    name: 'NUL in the title, author and text',
    parts: () => ({
      title: 'Nul\u0000Title',
      author: 'Au\u0000thor',
      docs: { 'a.xhtml': `<h1>One\u0000</h1>${para(30)}<p>a\u0000b</p>` },
    }),
    outcome: 'READY',
  },
  {
    name: 'a cover that is a PNG header claiming 65535×65535 pixels',
    parts: () => ({
      docs: { 'a.xhtml': para(30) },
      cover: { bytes: giantPngHeader(), mediaType: 'image/png' },
    }),
    outcome: 'READY',
  },
  {
    name: 'a cover of random bytes',
    parts: () => ({
      docs: { 'a.xhtml': para(30) },
      cover: {
        bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
        mediaType: 'image/jpeg',
      },
    }),
    outcome: 'READY',
  },
  {
    name: 'a cover that is XHTML declared as an image',
    parts: () => ({
      docs: { 'a.xhtml': para(30) },
      cover: { bytes: Buffer.from(xhtml('<p>not an image</p>')), mediaType: 'image/jpeg' },
    }),
    outcome: 'READY',
  },
];

/** 8,000 chapters, one document each: within the limits, and more rows than one INSERT takes. */
export const manyChapters = (): BookParts => ({
  docs: Object.fromEntries(
    Array.from({ length: 8_000 }, (_, i) => [`c${i}.xhtml`, `<p>Chapter ${i}.</p>`]),
  ),
});
