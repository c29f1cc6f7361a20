import { someOf } from './epub-limits.js';
import type { EpubPackage, ManifestItem, SpineItem } from './epub-package.js';
import { EpubError } from './epub-zip.js';

/** Content documents the parser reads; anything else in the spine needs a manifest fallback. */
const CONTENT_TYPES = new Set(['application/xhtml+xml', 'text/html', 'image/svg+xml']);

/**
 * The documents read aloud, in spine order, and what of the spine is not, with why:
 * non-linear items (reachable only by links), the navigation pages (the nav document, and
 * the cover and contents pages its landmarks or the EPUB 2 guide name), and items that are
 * not content documents. Such an item is read through its manifest `fallback` chain
 * (EPUB 3), as a reading system would; `aliases` keeps its own path, so the table of
 * contents still finds it. A chain that loops is an error that says so.
 */
export function readingOrder(pkg: EpubPackage): { order: SpineItem[]; notes: string[] } {
  const order: SpineItem[] = [];
  const nonLinear: string[] = [];
  const unreadable: string[] = [];
  const navigation = new Set<string>();
  for (const s of pkg.spine) {
    if (s.item.path === pkg.navPath || pkg.navigationPaths.has(s.item.path)) {
      navigation.add(s.item.path);
      continue;
    }
    if (!s.linear) {
      nonLinear.push(s.item.path);
      continue;
    }
    const readable = readableVersion(s.item, pkg.manifest);
    if (!readable) unreadable.push(`${s.item.path} (${s.item.mediaType || 'no media type'})`);
    else if (readable === s.item) order.push(s);
    else order.push({ ...s, item: readable, aliases: [s.item.path] });
  }
  const notes: string[] = [];
  if (navigation.size > 0) {
    notes.push(
      `not read: ${someOf([...navigation])}, the book's own cover or table of contents (the audiobook marks every chapter instead)`,
    );
  }
  if (nonLinear.length > 0) {
    notes.push(`not read: ${someOf(nonLinear)}, outside the reading order (linear="no")`);
  }
  if (unreadable.length > 0) {
    notes.push(`not read: ${someOf(unreadable)}, not a content document, with no fallback that is`);
  }
  return { order, notes };
}

/** The item itself if it is a content document, else the first one its fallback chain leads to. */
function readableVersion(
  item: ManifestItem,
  manifest: Map<string, ManifestItem>,
): ManifestItem | undefined {
  const chain: ManifestItem[] = [];
  let at: ManifestItem | undefined = item;
  while (at && !CONTENT_TYPES.has(at.mediaType)) {
    if (chain.includes(at)) {
      const loop = [...chain, at].map((i) => i.id).join(' → ');
      throw new EpubError(`the manifest's fallback chain for ${item.path} loops: ${loop}`);
    }
    chain.push(at);
    at = at.fallback ? manifest.get(at.fallback) : undefined;
  }
  return at;
}
