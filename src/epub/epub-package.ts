import type { Document, Element } from 'domhandler';
import { EpubError, type EpubZip, readMarkup } from './epub-zip.js';
import { attr, cleanSpace, findAll, findFirst, parseXml, resolveHref, textOf } from './xml.js';

export interface ManifestItem {
  id: string;
  path: string;
  mediaType: string;
  properties: string[];
  /** The manifest id of the item to read instead, when this one cannot be (EPUB 3 fallback). */
  fallback: string | null;
}

export interface SpineItem {
  item: ManifestItem;
  linear: boolean;
  /** Other paths links may use for it: the spine's own item, when a fallback is read instead. */
  aliases?: string[];
}

/** Guide and landmark types of pages that are not read aloud: they are for the eye. */
export const NAVIGATION_TYPES = ['cover', 'toc', 'loi', 'lot', 'index'];

export interface EpubPackage {
  opfPath: string;
  title: string;
  authors: string[];
  language: string;
  manifest: Map<string, ManifestItem>;
  spine: SpineItem[];
  navPath: string | null;
  ncxPath: string | null;
  /** Content documents the book itself marks as cover or table of contents (guide/landmarks). */
  navigationPaths: Set<string>;
  /** The EPUB 2 `<meta name="cover" content="…">` manifest id, if any. */
  coverId: string | null;
  /** Cover pages named by the guide (some books only say where the cover is this way). */
  coverPages: string[];
  warnings: string[];
}

/** Font obfuscation is not DRM: those algorithms only scramble embedded fonts. */
const FONT_OBFUSCATION = new Set([
  'http://www.idpf.org/2008/embedding',
  'http://ns.adobe.com/pdf/enc#RC',
]);

export async function readPackage(zip: EpubZip): Promise<EpubPackage> {
  await assertNotDrm(zip);
  const opfPath = await findOpfPath(zip);
  if (!zip.has(opfPath)) {
    throw new EpubError(
      `the package document ${opfPath} named in META-INF/container.xml was not found`,
    );
  }
  const doc = parseXml(await readMarkup(zip, opfPath), opfPath);
  const warnings: string[] = [];
  const manifest = readManifest(doc, opfPath, warnings);
  const spineEl = findFirst(doc, 'spine');
  const spine = readSpine(spineEl, manifest, warnings);
  const nav = [...manifest.values()].find((i) => i.properties.includes('nav'));
  const ncxId = spineEl?.attribs.toc;
  const ncx =
    (ncxId ? manifest.get(ncxId) : undefined) ??
    [...manifest.values()].find((i) => i.mediaType === 'application/x-dtbncx+xml');
  const meta = findFirst(doc, 'metadata') ?? doc;
  const guide = findAll(doc, 'reference');
  const first = (name: string) =>
    findAll(meta, name)
      .map((e) => cleanSpace(textOf(e)))
      .find(Boolean);
  return {
    opfPath,
    title: first('title') ?? 'Untitled',
    authors: findAll(meta, 'creator')
      .map((e) => cleanSpace(textOf(e)))
      .filter(Boolean),
    language: first('language') ?? 'en',
    manifest,
    spine,
    navPath: nav?.path ?? null,
    ncxPath: ncx?.path ?? null,
    navigationPaths: new Set(guidePaths(guide, opfPath, NAVIGATION_TYPES)),
    coverId: findAll(meta, 'meta').find((m) => m.attribs.name === 'cover')?.attribs.content ?? null,
    coverPages: guidePaths(guide, opfPath, ['cover']),
    warnings,
  };
}

function readManifest(doc: Document, opfPath: string, warnings: string[]) {
  const manifest = new Map<string, ManifestItem>();
  for (const el of findAll(doc, 'item')) {
    const id = el.attribs.id;
    const href = el.attribs.href;
    if (!id || !href) {
      warnings.push(`manifest item without ${id ? 'href' : 'id'} ignored`);
      continue;
    }
    if (manifest.has(id)) {
      warnings.push(`duplicate manifest id ${id} ignored`);
      continue;
    }
    manifest.set(id, {
      id,
      path: resolveHref(opfPath, href).path,
      mediaType: (el.attribs['media-type'] ?? '').toLowerCase(),
      properties: (el.attribs.properties ?? '').split(/\s+/).filter(Boolean),
      fallback: el.attribs.fallback ?? null,
    });
  }
  return manifest;
}

function readSpine(
  spineEl: Element | undefined,
  manifest: Map<string, ManifestItem>,
  warnings: string[],
): SpineItem[] {
  const spine: SpineItem[] = [];
  for (const ref of spineEl ? findAll(spineEl, 'itemref') : []) {
    const item = ref.attribs.idref ? manifest.get(ref.attribs.idref) : undefined;
    if (!item) {
      warnings.push(`spine entry ${ref.attribs.idref ?? '(without idref)'} ignored`);
      continue;
    }
    spine.push({ item, linear: ref.attribs.linear !== 'no' });
  }
  if (spine.length === 0) {
    throw new EpubError('the book has no content in reading order (its spine is empty)');
  }
  return spine;
}

/** The documents the EPUB 2 guide names with one of `types`. */
function guidePaths(references: Element[], opfPath: string, types: string[]): string[] {
  return references
    .filter((r) => types.includes((r.attribs.type ?? '').toLowerCase()) && r.attribs.href)
    .map((r) => resolveHref(opfPath, r.attribs.href ?? '').path);
}

async function findOpfPath(zip: EpubZip): Promise<string> {
  const containerPath = 'META-INF/container.xml';
  if (!zip.has(containerPath))
    throw new EpubError(`${containerPath} is missing, so the book cannot be opened`);
  const container = parseXml(await readMarkup(zip, containerPath), containerPath);
  const rootfile = findAll(container, 'rootfile').find((r) => attr(r, 'full-path'));
  const fullPath = rootfile ? attr(rootfile, 'full-path') : undefined;
  if (!fullPath) throw new EpubError(`${containerPath} names no package document`);
  return resolveHref('', fullPath).path;
}

async function assertNotDrm(zip: EpubZip): Promise<void> {
  if (zip.has('META-INF/license.lcpl') || zip.has('META-INF/rights.xml')) {
    throw new EpubError('this book is DRM-protected and cannot be converted');
  }
  if (!zip.has('META-INF/encryption.xml')) return;
  const doc = parseXml(await readMarkup(zip, 'META-INF/encryption.xml'), 'META-INF/encryption.xml');
  const algorithms = findAll(doc, 'encryptionmethod').map(
    (m) => m.attribs.Algorithm ?? m.attribs.algorithm ?? '',
  );
  if (algorithms.some((a) => !FONT_OBFUSCATION.has(a))) {
    throw new EpubError('this book is DRM-protected and cannot be converted');
  }
}
