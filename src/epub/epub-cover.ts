import type { EpubPackage, ManifestItem } from './epub-package.js';
import { type EpubZip, readMarkup } from './epub-zip.js';
import { findAll, parseHtml, resolveHref } from './xml.js';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
const MAX_COVER_BYTES = 10 * 1024 * 1024;

/**
 * The cover image, for the audiobook's cover art: the EPUB 3 `cover-image`
 * item, else the EPUB 2 `<meta name="cover">` item, else the first image on the
 * cover page the guide names. JPEG and PNG only (what players show); none is fine.
 */
export async function findCover(
  zip: EpubZip,
  pkg: EpubPackage,
): Promise<{ bytes: Buffer; mediaType: string } | null> {
  const items = [...pkg.manifest.values()];
  const candidates: (ManifestItem | undefined)[] = [
    items.find((i) => i.properties.includes('cover-image')),
    pkg.coverId ? pkg.manifest.get(pkg.coverId) : undefined,
  ];
  for (const page of pkg.coverPages) {
    if (!zip.has(page)) continue;
    const img = findAll(parseHtml(await readMarkup(zip, page), page), 'img')[0];
    const src = img?.attribs.src;
    if (src) {
      const path = resolveHref(page, src).path;
      candidates.push(items.find((i) => i.path === path));
    }
  }
  for (const item of candidates) {
    if (!item || !IMAGE_TYPES.has(item.mediaType) || !zip.has(item.path)) continue;
    const bytes = await zip.read(item.path).catch(() => null);
    if (bytes && bytes.length > 0 && bytes.length <= MAX_COVER_BYTES)
      return { bytes, mediaType: item.mediaType };
  }
  return null;
}
