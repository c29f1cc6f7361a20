import type { Element } from 'domhandler';
import type { EpubPackage } from './epub-package.js';
import { decodeXml, type EpubZip } from './epub-zip.js';
import {
  attr,
  cleanSpace,
  elements,
  findAll,
  findFirst,
  localName,
  parseHtml,
  parseXml,
  resolveHref,
  textOf,
} from './xml.js';

export interface TocEntry {
  label: string;
  path: string | null;
  fragment: string | null;
  children: TocEntry[];
}

/** The book's table of contents: nav document, else NCX; empty when neither is usable. */
export async function readToc(zip: EpubZip, pkg: EpubPackage): Promise<TocEntry[]> {
  if (pkg.navPath && zip.has(pkg.navPath)) {
    try {
      const entries = readNav(decodeXml(await zip.read(pkg.navPath)), pkg.navPath);
      if (entries.length > 0) return entries;
    } catch (err) {
      pkg.warnings.push(`nav document ${pkg.navPath} unusable: ${(err as Error).message}`);
    }
  }
  if (pkg.ncxPath && zip.has(pkg.ncxPath)) {
    const text = decodeXml(await zip.read(pkg.ncxPath));
    if (!isWellFormedEnough(text)) {
      pkg.warnings.push(`${pkg.ncxPath} is not well-formed XML; chapters follow the spine instead`);
      return [];
    }
    return readNcx(text, pkg.ncxPath);
  }
  return [];
}

function readNav(text: string, navPath: string): TocEntry[] {
  const doc = parseHtml(text);
  const navs = findAll(doc, 'nav');
  const toc = navs.find((n) => (attr(n, 'type') ?? '').split(/\s+/).includes('toc')) ?? navs[0];
  const list = toc ? findFirst(toc, 'ol') : undefined;
  return list ? readNavList(list, navPath) : [];
}

function readNavList(ol: Element, navPath: string): TocEntry[] {
  return elements(ol.children)
    .filter((li) => localName(li) === 'li')
    .map((li) => {
      const kids = elements(li.children);
      const link = kids.find((k) => localName(k) === 'a' || localName(k) === 'span');
      const sub = kids.find((k) => localName(k) === 'ol');
      const href = link && localName(link) === 'a' ? link.attribs.href : undefined;
      const target = href ? resolveHref(navPath, href) : null;
      return {
        label: cleanSpace(link ? textOf(link) : ''),
        path: target?.path ?? null,
        fragment: target?.fragment ?? null,
        children: sub ? readNavList(sub, navPath) : [],
      };
    });
}

function readNcx(text: string, ncxPath: string): TocEntry[] {
  const navMap = findFirst(parseXml(text), 'navmap');
  const read = (parent: Element): TocEntry[] =>
    elements(parent.children)
      .filter((p) => localName(p) === 'navpoint')
      .map((p) => {
        const label = findFirst(p, 'navlabel');
        const src = findFirst(p, 'content')?.attribs.src;
        const target = src ? resolveHref(ncxPath, src) : null;
        return {
          label: cleanSpace(label ? textOf(label) : ''),
          path: target?.path ?? null,
          fragment: target?.fragment ?? null,
          children: read(p),
        };
      });
  return navMap ? read(navMap) : [];
}

/** A bare '&' is the commonest way an NCX breaks; it would silently drop labels. */
function isWellFormedEnough(text: string): boolean {
  return !/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);)/.test(text);
}
