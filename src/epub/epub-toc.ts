import type { Element } from 'domhandler';
import { type EpubPackage, NAVIGATION_TYPES } from './epub-package.js';
import { EpubError, type EpubZip, readMarkup } from './epub-zip.js';
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
    const entries = readNav(await readMarkup(zip, pkg.navPath), pkg);
    if (entries.length > 0) return entries;
  }
  if (pkg.ncxPath && zip.has(pkg.ncxPath)) {
    const text = await readMarkup(zip, pkg.ncxPath);
    const bad = firstBareAmpersand(text);
    if (bad) {
      throw new EpubError(
        `the table of contents ${pkg.ncxPath} is not well-formed XML (a bare "&" at line ${bad}); fix or remove it and upload again`,
      );
    }
    return readNcx(text, pkg.ncxPath);
  }
  return [];
}

/** The nav document's TOC; its landmarks also name the pages not to read (cover, printed TOC). */
function readNav(text: string, pkg: EpubPackage): TocEntry[] {
  const navPath = pkg.navPath as string;
  const doc = parseHtml(text, navPath);
  const navs = findAll(doc, 'nav');
  const typed = (n: Element, type: string) => (attr(n, 'type') ?? '').split(/\s+/).includes(type);
  for (const landmarks of navs.filter((n) => typed(n, 'landmarks'))) {
    for (const a of findAll(landmarks, 'a')) {
      if (a.attribs.href && NAVIGATION_TYPES.some((t) => typed(a, t))) {
        pkg.navigationPaths.add(resolveHref(navPath, a.attribs.href).path);
      }
    }
  }
  const toc = navs.find((n) => typed(n, 'toc')) ?? navs[0];
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
  const navMap = findFirst(parseXml(text, ncxPath), 'navmap');
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

/** A bare '&' is the commonest way an NCX breaks (our lenient parser would silently eat labels). */
function firstBareAmpersand(text: string): number | null {
  const m = /&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : null;
}
