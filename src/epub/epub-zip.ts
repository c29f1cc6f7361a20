import fs from 'node:fs/promises';
import yauzl from 'yauzl';
import { DEFAULT_EPUB_LIMITS, EpubError, formatCount } from './epub-limits.js';

/** Archives up to this size are read into memory whole before their entries are read. */
const IN_MEMORY_BYTES = 16 * 1024 * 1024;

/** Limits that keep a hostile archive from exhausting memory or time. */
export const ZIP_LIMITS = {
  maxEntries: 10_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  /** Entries above 1 MiB may expand at most this many times their stored size. */
  maxRatio: 200,
};

export { EpubError } from './epub-limits.js';

export interface EpubZip {
  names(): string[];
  /** Entry names that would escape a folder (zip-slip); never read, reported by the parser. */
  unsafeNames(): string[];
  has(name: string): boolean;
  /** Uncompressed size of an entry, in bytes (0 when missing). */
  sizeOf(name: string): number;
  read(name: string): Promise<Buffer>;
  close(): void;
}

const decoder = new TextDecoder('utf-8');

/** An entry name we would never resolve against a directory: absolute, or climbing out with "..". */
function unsafeName(name: string): boolean {
  return name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..');
}

/**
 * Opens an EPUB for reading entries into memory, by name. Nothing is written to
 * disk; unsafe names are dropped and oversized or over-compressed entries refused.
 */
export async function openEpubZip(filePath: string): Promise<EpubZip> {
  // A typical book is read whole, once: yauzl reads a file's entries one at a time, and
  // a thousand small reads cost more than one big one. Big files are read in place.
  const { size } = await fs.stat(filePath);
  const source = size <= IN_MEMORY_BYTES ? await fs.readFile(filePath) : filePath;
  return new Promise((resolve, reject) => {
    // decodeStrings: false keeps yauzl from rejecting the whole archive over one bad name.
    const opts = { lazyEntries: true, decodeStrings: false, autoClose: false };
    const open = (cb: (err: Error | null, zip: yauzl.ZipFile) => void) =>
      typeof source === 'string'
        ? yauzl.open(source, opts, cb)
        : yauzl.fromBuffer(source, opts, cb);
    open((err, zip) => {
      if (err || !zip) {
        reject(
          new EpubError(`not a valid EPUB (not a ZIP archive: ${err?.message ?? 'unreadable'})`),
        );
        return;
      }
      if (zip.entryCount > ZIP_LIMITS.maxEntries) {
        zip.close();
        reject(
          new EpubError(
            `the archive has ${zip.entryCount} entries (limit ${ZIP_LIMITS.maxEntries})`,
          ),
        );
        return;
      }
      const entries = new Map<string, yauzl.Entry>();
      const unsafe: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = decoder.decode(entry.fileName as unknown as Buffer);
        if (unsafeName(name)) unsafe.push(name);
        else if (!name.endsWith('/') && !entries.has(name)) entries.set(name, entry);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => reject(new EpubError(`corrupt ZIP archive: ${e.message}`)));
      zip.on('end', () => resolve(wrap(zip, entries, unsafe)));
      zip.readEntry();
    });
  });
}

function wrap(zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>, unsafe: string[]): EpubZip {
  let totalRead = 0;
  return {
    names: () => [...entries.keys()],
    unsafeNames: () => unsafe,
    has: (name) => entries.has(name),
    sizeOf: (name) => entries.get(name)?.uncompressedSize ?? 0,
    read(name) {
      const entry = entries.get(name);
      if (!entry) return Promise.reject(new EpubError(`${name} is missing from the archive`));
      const size = entry.uncompressedSize;
      if (size > ZIP_LIMITS.maxEntryBytes || totalRead + size > ZIP_LIMITS.maxTotalBytes) {
        return Promise.reject(new EpubError(`${name} is too large (${size} bytes uncompressed)`));
      }
      if (size > 1024 * 1024 && size / Math.max(1, entry.compressedSize) > ZIP_LIMITS.maxRatio) {
        const ratio = Math.round(size / Math.max(1, entry.compressedSize));
        return Promise.reject(
          new EpubError(
            `${name} expands ${ratio}:1 when decompressed, which looks like a zip bomb`,
          ),
        );
      }
      totalRead += size;
      return new Promise((resolve, reject) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) {
            reject(new EpubError(`cannot read ${name}: ${err?.message ?? 'no data'}`));
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (e) => reject(new EpubError(`cannot read ${name}: ${e.message}`)));
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
    },
    close: () => zip.close(),
  };
}

/**
 * Reads a markup entry as text. A document that declares an external entity
 * (the XXE attack: `<!ENTITY x SYSTEM "file:///etc/passwd">`) is refused
 * outright; our parser would not resolve it anyway, but such a file is hostile.
 */
export async function readMarkup(
  zip: EpubZip,
  name: string,
  maxBytes = DEFAULT_EPUB_LIMITS.maxDocumentBytes,
): Promise<string> {
  const size = zip.sizeOf(name);
  if (size > maxBytes) {
    throw new EpubError(
      `${name} is ${formatCount(Math.round(size / 1048576))} MB of markup; one document may have at most ${formatCount(maxBytes / 1048576)} MB`,
    );
  }
  const text = decodeXml(await zip.read(name));
  if (/<!ENTITY\s[^>]*\b(SYSTEM|PUBLIC)\b/i.test(text)) {
    throw new EpubError(
      `${name} declares an external entity, a known attack on XML readers; the book was refused`,
    );
  }
  return text;
}

/** Decodes an XML document's bytes, honouring a UTF-16 byte-order mark. */
export function decodeXml(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return new TextDecoder('utf-16be').decode(buf.subarray(2));
  return new TextDecoder('utf-8').decode(buf).replace(/^\uFEFF/, '');
}
