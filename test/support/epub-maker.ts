import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** CRC-32 (the ZIP one), table-driven. */
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < buf.length; i++)
    c = (TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

export interface Entry {
  name: string;
  /** Content, or a generator of chunks for entries too big to hold. */
  data: Buffer | { size: number; chunks: () => Iterable<Buffer> };
}

/** Writes a ZIP with stored (uncompressed) entries: enough to make test books of any size. */
export async function writeZip(file: string, entries: Entry[]): Promise<void> {
  const out = createWriteStream(file);
  const write = async (b: Buffer) => {
    if (!out.write(b)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const chunks = Buffer.isBuffer(entry.data) ? [entry.data] : [...entry.data.chunks()];
    const size = Buffer.isBuffer(entry.data) ? entry.data.length : entry.data.size;
    let crc = 0;
    for (const c of chunks) crc = crc32(c, crc);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(size, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    await write(Buffer.concat([local, name]));
    for (const c of chunks) await write(c);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(size, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(Buffer.concat([header, name]));
    offset += 30 + name.length + size;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(Buffer.concat([dir, end]));
  out.end();
  await once(out, 'finish');
}

const xhtml = (title: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>${title}</title></head><body>${body}</body></html>`;

/**
 * An EPUB 3 with `chapters` chapters of `words` words each, plus an optional
 * padding entry of `paddingBytes` (a large picture, say) to make a big upload.
 * Chapter titles are `<label> chapter <n>`, so a test can tell many books'
 * chapters apart in what a speech engine was asked to say.
 */
export async function makeEpub(
  file: string,
  opts: { chapters: number; words: number; paddingBytes?: number; label?: string },
): Promise<void> {
  const ids = Array.from({ length: opts.chapters }, (_, i) => i + 1);
  const heading = (n: number) => (opts.label ? `${opts.label} chapter ${n}` : `Chapter ${n}`);
  const sentence = 'The quick brown fox jumps over the lazy dog. ';
  const text = sentence.repeat(Math.ceil(opts.words / 9));
  const entries: Entry[] = [
    { name: 'mimetype', data: Buffer.from('application/epub+zip') },
    {
      name: 'META-INF/container.xml',
      data: Buffer.from(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
    },
    {
      name: 'OEBPS/content.opf',
      data: Buffer.from(
        `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">bench</dc:identifier><dc:title>Bench Book</dc:title><dc:language>en</dc:language></metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>${ids.map((n) => `<item id="c${n}" href="c${n}.xhtml" media-type="application/xhtml+xml"/>`).join('')}${opts.paddingBytes ? '<item id="pad" href="padding.bin" media-type="application/octet-stream"/>' : ''}</manifest><spine>${ids.map((n) => `<itemref idref="c${n}"/>`).join('')}</spine></package>`,
      ),
    },
    {
      name: 'OEBPS/nav.xhtml',
      data: Buffer.from(
        xhtml(
          'Contents',
          `<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>${ids.map((n) => `<li><a href="c${n}.xhtml">${heading(n)}</a></li>`).join('')}</ol></nav>`,
        ),
      ),
    },
    ...ids.map((n) => ({
      name: `OEBPS/c${n}.xhtml`,
      data: Buffer.from(xhtml(heading(n), `<h1>${heading(n)}</h1><p>${text}</p>`)),
    })),
  ];
  if (opts.paddingBytes) {
    const size = opts.paddingBytes;
    const block = Buffer.alloc(1024 * 1024, 7);
    entries.push({
      name: 'OEBPS/padding.bin',
      data: {
        size,
        *chunks() {
          for (let left = size; left > 0; left -= block.length)
            yield left >= block.length ? block : block.subarray(0, left);
        },
      },
    });
  }
  await writeZip(file, entries);
}

/**
 * An EPUB 2 as older tools made them (Project Gutenberg's among them): OPF 2.0 with an NCX,
 * XHTML 1.1 documents, each `{ title, body }` one chapter. Valid EPUB 2 for epubcheck.
 */
export async function makeEpub2(
  file: string,
  book: { title: string; head?: string; chapters: { title: string; body: string }[] },
): Promise<void> {
  const ids = book.chapters.map((_, i) => i + 1);
  const doc = (c: { title: string; body: string }) =>
    `<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><head><meta http-equiv="Content-Type" content="application/xhtml+xml; charset=utf-8"/>${book.head ?? ''}<title>${c.title}</title></head><body>${c.body}</body></html>`;
  const opf = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf"><dc:identifier id="id" opf:scheme="URI">urn:uuid:6f1c2b9e-0000-4000-8000-000000000002</dc:identifier><dc:title>${book.title}</dc:title><dc:creator opf:role="aut">Someone</dc:creator><dc:language>en</dc:language></metadata><manifest><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>${ids.map((n) => `<item id="c${n}" href="c${n}.xhtml" media-type="application/xhtml+xml"/>`).join('')}</manifest><spine toc="ncx">${ids.map((n) => `<itemref idref="c${n}"/>`).join('')}</spine></package>`;
  const ncx = `<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head><meta name="dtb:uid" content="urn:uuid:6f1c2b9e-0000-4000-8000-000000000002"/><meta name="dtb:depth" content="1"/><meta name="dtb:totalPageCount" content="0"/><meta name="dtb:maxPageNumber" content="0"/></head><docTitle><text>${book.title}</text></docTitle><navMap>${book.chapters.map((c, i) => `<navPoint id="n${i + 1}" playOrder="${i + 1}"><navLabel><text>${c.title}</text></navLabel><content src="c${i + 1}.xhtml"/></navPoint>`).join('')}</navMap></ncx>`;
  await writeZip(file, [
    { name: 'mimetype', data: Buffer.from('application/epub+zip') },
    {
      name: 'META-INF/container.xml',
      data: Buffer.from(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
    },
    { name: 'OEBPS/content.opf', data: Buffer.from(opf) },
    { name: 'OEBPS/toc.ncx', data: Buffer.from(ncx) },
    ...book.chapters.map((c, i) => ({ name: `OEBPS/c${i + 1}.xhtml`, data: Buffer.from(doc(c)) })),
  ]);
}
