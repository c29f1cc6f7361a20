import { type ManifestItem, readPackage } from './epub-package.js';
import { readingOrder } from './epub-reading-order.js';
import { readToc } from './epub-toc.js';
import { type EpubZip, openEpubZip, readMarkup } from './epub-zip.js';
import {
  type Clip,
  clipsOf,
  type OverlayChapter,
  overlayDuration,
  piecesOf,
  smilDocument,
} from './media-overlays.js';
import { alignText } from './overlay-align.js';
import { comparableKey, documentText } from './overlay-text.js';
import {
  type AddedItem,
  asEpub3Document,
  asEpub3Ncx,
  declaredUtf8,
  documentProperties,
  linkStylesheet,
  navDocument,
  READALONG_CSS,
  rewritePackage,
} from './readalong-package.js';
import { tagsBalanced } from './xml.js';

/** Where the read-along's own files go in the package: beside the book's, in a folder of their own. */
export const READALONG_DIR = 'bookflow';
const CSS_PATH = `${READALONG_DIR}/readalong.css`;
const NAV_PATH = `${READALONG_DIR}/nav.xhtml`;

export interface ReadAlongRequest {
  /** The book's EPUB, as uploaded. */
  file: string;
  /** The chapters read, in order, each with its audio's path in the package. */
  chapters: OverlayChapter[];
  /** ISO time for `dcterms:modified`. */
  modified: string;
}

/** A file of the read-along package (the audio aside: it is streamed from storage). */
export interface PackageEntry {
  name: string;
  data: Uint8Array;
  /** Deflated; pictures, fonts and audio are stored as they are. */
  compress: boolean;
}

export interface ReadAlongBuild {
  entries: PackageEntry[];
}

const STORED = /\.(jpe?g|png|gif|webp|woff2?|otf|ttf|m4a|mp3|mp4|zip)$/i;
const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * The book's EPUB as a read-along: every sentence placed in its text (overlay-align.ts), one
 * SMIL overlay per content document, the package brought to EPUB 3 (an EPUB 2 book gets a
 * navigation document) and told of the overlays. The chapters' audio files are named in it;
 * the caller adds them.
 */
export async function buildReadAlong(request: ReadAlongRequest): Promise<ReadAlongBuild> {
  const zip = await openEpubZip(request.file);
  try {
    const pkg = await readPackage(zip);
    const opf = await readMarkup(zip, pkg.opfPath);
    const upgraded = !/<(?:\w+:)?package\b[^>]*\sversion\s*=\s*["']3/.test(opf);
    const items = contentDocuments(readingOrder(pkg).order.map((s) => s.item));
    const { read, texts } = await readDocuments(zip, items);
    const pieces = piecesOf(request.chapters);
    const { sources, placed } = alignText(
      texts,
      pieces.map((p) => comparableKey(p.text)),
      'bf',
    );
    const clips = clipsOf(placed, pieces, request.chapters);
    const { changed, added, overlays, durations, written } = overlayFiles(items, sources, clips);
    added.push(...audioItems(clips));
    const properties = new Map<string, string[]>();
    if (upgraded) {
      await upgradeDocuments(zip, pkg.manifest, { changed, read }, properties);
      const toc = await readToc(zip, pkg);
      written.set(NAV_PATH, navDocument(NAV_PATH, pkg.title, pkg.language, toc));
      added.push({
        id: 'bf-nav',
        path: NAV_PATH,
        mediaType: 'application/xhtml+xml',
        properties: 'nav',
      });
    }
    const totalSec = [...durations.values()].reduce((a, b) => a + b, 0);
    const modified = new Date(request.modified);
    changed.set(
      pkg.opfPath,
      rewritePackage(opf, pkg.opfPath, {
        added,
        documents: new Set(
          [...pkg.manifest.values()]
            .filter((i) => i.mediaType === 'application/xhtml+xml')
            .map((i) => i.path),
        ),
        overlays,
        properties,
        durations,
        totalSec,
        modified,
      }),
    );
    const entries = await packageEntries(zip, changed);
    for (const [name, text] of [...written, [CSS_PATH, READALONG_CSS] as const])
      entries.push({ name, data: utf8(text), compress: true });
    return { entries };
  } finally {
    zip.close();
  }
}

/** Each document's overlay, and the document linked to the stylesheet of the highlight. */
function overlayFiles(items: ManifestItem[], sources: string[], clips: Clip[]) {
  const changed = new Map<string, string>();
  const added: AddedItem[] = [{ id: 'bf-css', path: CSS_PATH, mediaType: 'text/css' }];
  const overlays = new Map<string, string>();
  const durations = new Map<string, number>();
  // The files the read-along adds that are text: overlays (and, later, a navigation document).
  const written = new Map<string, string>();
  items.forEach((item, i) => {
    const own = clips.filter((c) => c.doc === i);
    if (own.length === 0) return;
    const id = `bf-overlay-${overlays.size + 1}`;
    const path = `${READALONG_DIR}/overlays/${overlays.size + 1}.smil`;
    changed.set(item.path, linkStylesheet(sources[i] as string, item.path, CSS_PATH));
    written.set(path, smilDocument(path, item.path, own));
    overlays.set(item.id, id);
    durations.set(id, overlayDuration(own));
    added.push({ id, path, mediaType: 'application/smil+xml' });
  });
  return { changed, added, overlays, durations, written };
}

/** Each XHTML document of the reading order once, in order. */
function contentDocuments(order: ManifestItem[]): ManifestItem[] {
  const seen = new Set<string>();
  return order.filter((item) => {
    if (item.mediaType !== 'application/xhtml+xml' || seen.has(item.path)) return false;
    seen.add(item.path);
    return true;
  });
}

/** The documents' sources by path, and their words for the alignment. */
async function readDocuments(zip: EpubZip, items: ManifestItem[]) {
  const sources = await Promise.all(items.map((item) => readMarkup(zip, item.path)));
  const read = new Map(items.map((item, i) => [item.path, sources[i] as string]));
  // Spans go only where the markup is well-formed: elsewhere they could not be placed safely.
  const texts = items.map((item, i) => {
    const source = sources[i] as string;
    return tagsBalanced(source) ? documentText(source, item.path) : documentText('');
  });
  return { read, texts };
}

function audioItems(clips: Clip[]): AddedItem[] {
  const paths = [...new Set(clips.map((c) => c.audio))];
  return paths.map((path, i) => ({
    id: `bf-audio-${i + 1}`,
    path,
    mediaType: path.endsWith('.mp3') ? 'audio/mpeg' : 'audio/mp4',
  }));
}

/** EPUB 2 content documents as EPUB 3 wants them: the HTML doctype, and what they hold said. */
async function upgradeDocuments(
  zip: EpubZip,
  manifest: Map<string, ManifestItem>,
  sources: { changed: Map<string, string>; read: Map<string, string> },
  properties: Map<string, string[]>,
): Promise<void> {
  const { changed, read } = sources;
  for (const item of manifest.values()) {
    if (item.mediaType === 'application/x-dtbncx+xml' && zip.has(item.path))
      changed.set(item.path, asEpub3Ncx(await readMarkup(zip, item.path)));
    if (item.mediaType !== 'application/xhtml+xml' || !zip.has(item.path)) continue;
    const source =
      changed.get(item.path) ?? read.get(item.path) ?? (await readMarkup(zip, item.path));
    changed.set(item.path, asEpub3Document(source));
    const found = documentProperties(source);
    if (found.length > 0) properties.set(item.id, found);
  }
}

/** The book's own files, changed where the read-along changed them, `mimetype` aside. */
async function packageEntries(zip: EpubZip, changed: Map<string, string>): Promise<PackageEntry[]> {
  const entries: PackageEntry[] = [];
  for (const name of zip.names()) {
    if (name === 'mimetype' || name.startsWith(`${READALONG_DIR}/`)) continue;
    const text = changed.get(name);
    const data = text === undefined ? await zip.read(name) : utf8(declaredUtf8(text));
    entries.push({ name, data, compress: !STORED.test(name) });
  }
  return entries;
}
