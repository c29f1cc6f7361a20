import type { TocEntry } from './epub-toc.js';
import { asHtml5Markup } from './html5-markup.js';
import { clock, escapeXml, relativeHref } from './media-overlays.js';
import { resolveHref } from './xml.js';

/** The class a reading system gives the sentence being read (`media:active-class`), and its look. */
export const ACTIVE_CLASS = '-epub-media-overlay-active';
export const READALONG_CSS = `.${ACTIVE_CLASS} { background-color: #ffe680; color: #000; }\n`;

/** A file the read-along adds to the package. */
export interface AddedItem {
  id: string;
  path: string;
  mediaType: string;
  properties?: string;
}

export interface PackageChanges {
  /** Files added: audio, overlays, the stylesheet, a navigation document. */
  added: AddedItem[];
  /** The package's XHTML content documents (paths): what guide references may point at. */
  documents: Set<string>;
  /** Manifest id of each content document with an overlay → that overlay's manifest id. */
  overlays: Map<string, string>;
  /** Manifest id → properties an EPUB 3 needs said of it (`svg`, `scripted`, `mathml`). */
  properties: Map<string, string[]>;
  /** How long each overlay plays (by its manifest id), and all of them. */
  durations: Map<string, number>;
  totalSec: number;
  modified: Date;
}

const attrOf = (tag: string, name: string) =>
  new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`)
    .exec(tag)
    ?.slice(2)
    .find((v) => v !== undefined);

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/**
 * The package document as EPUB 3 with media overlays: version 3.0; EPUB 2's `opf:` and
 * `xsi:` attributes and second dates dropped; the added files and `media-overlay` links in the
 * manifest; the durations, the active class and `dcterms:modified` in the metadata (earlier
 * overlay metadata replaced); guide references to what is not a content document dropped (an
 * emptied guide with them). Edited as text, so the rest stays as its author wrote it.
 */
export function rewritePackage(opf: string, opfPath: string, changes: PackageChanges): string {
  const prefix = /<(\w+:)?package\b/.exec(opf)?.[1] ?? '';
  let out = opf
    .replace(/(<(?:\w+:)?package\b[^>]*?\sversion\s*=\s*["'])[^"']*(["'])/, '$13.0$2')
    .replace(/\s(?:opf|xsi):[\w-]+\s*=\s*("[^"]*"|'[^']*')/g, '')
    .replace(
      /(<(\w+:)?date\b[^>]*>[^<]*<\/(?:\w+:)?date>)([\s\S]*?)(?=<\/(?:\w+:)?metadata>)/,
      (_m, first: string, _p, rest: string) =>
        first + rest.replace(/\s*<(?:\w+:)?date\b[^>]*>[^<]*<\/(?:\w+:)?date>/g, ''),
    )
    .replace(
      /<(?:\w+:)?meta\b[^>]*\sproperty\s*=\s*["'](?:media:[\w-]+|dcterms:modified)["'][^>]*>[^<]*<\/(?:\w+:)?meta>\s*/g,
      '',
    )
    .replace(/<(?:\w+:)?item\b[^>]*>/g, (tag) => editItem(tag, changes));
  out = out
    .replace(/<(?:\w+:)?reference\b[^>]*>(?:\s*<\/(?:\w+:)?reference>)?\s*/g, (tag) => {
      const href = attrOf(tag, 'href');
      return href && changes.documents.has(resolveHref(opfPath, href).path) ? tag : '';
    })
    .replace(/<((?:\w+:)?guide)\b[^>]*>\s*<\/\1>\s*/, '');
  const metas = [
    `<${prefix}meta property="dcterms:modified">${iso(changes.modified)}</${prefix}meta>`,
    `<${prefix}meta property="media:active-class">${ACTIVE_CLASS}</${prefix}meta>`,
    `<${prefix}meta property="media:duration">${clock(changes.totalSec)}</${prefix}meta>`,
    ...[...changes.durations].map(
      ([id, sec]) =>
        `<${prefix}meta property="media:duration" refines="#${id}">${clock(sec)}</${prefix}meta>`,
    ),
  ];
  const items = changes.added.map(
    (a) =>
      `<${prefix}item id="${a.id}" href="${escapeXml(relativeHref(opfPath, a.path))}" media-type="${a.mediaType}"${a.properties ? ` properties="${a.properties}"` : ''}/>`,
  );
  return out
    .replace(
      /(\s*)<\/((?:\w+:)?metadata)>/,
      (_m, space: string, name: string) =>
        `${metas.map((m) => `${space}  ${m}`).join('')}${space}</${name}>`,
    )
    .replace(
      /(\s*)<\/((?:\w+:)?manifest)>/,
      (_m, space: string, name: string) =>
        `${items.map((m) => `${space}  ${m}`).join('')}${space}</${name}>`,
    );
}

/** A manifest item with its overlay linked and its properties said. */
function editItem(tag: string, changes: PackageChanges): string {
  const id = attrOf(tag, 'id') ?? '';
  let edited = tag.replace(/\smedia-overlay\s*=\s*("[^"]*"|'[^']*')/, '');
  const extra = changes.properties.get(id) ?? [];
  if (extra.length > 0) {
    const had = attrOf(edited, 'properties');
    const all = [...new Set([...(had ?? '').split(/\s+/).filter(Boolean), ...extra])].join(' ');
    edited =
      had === undefined
        ? addAttr(edited, 'properties', all)
        : edited.replace(/(\sproperties\s*=\s*["'])[^"']*/, `$1${all}`);
  }
  const overlay = changes.overlays.get(id);
  return overlay ? addAttr(edited, 'media-overlay', overlay) : edited;
}

function addAttr(tag: string, name: string, value: string): string {
  return tag.replace(/\s*(\/?)>$/, ` ${name}="${escapeXml(value)}"$1>`);
}

/**
 * An EPUB 2 (XHTML 1.1) content document as EPUB 3 (HTML) wants it: the HTML doctype, a
 * `content-type` meta that says UTF-8 (the only encoding HTML allows it to say), and HTML 4's
 * presentational markup as CSS (html5-markup.ts), so a book valid before is valid after.
 */
export function asEpub3Document(source: string): string {
  return asHtml5Markup(source)
    .replace(/<!DOCTYPE\s+html\b[^>]*>/i, '<!DOCTYPE html>')
    .replace(/<meta\b[^>]*http-equiv\s*=\s*["']content-type["'][^>]*>/gi, (meta) =>
      meta.replace(/(\scontent\s*=\s*)("[^"]*"|'[^']*')/i, '$1"text/html; charset=utf-8"'),
    );
}

/** An NCX as EPUB 3 keeps it (for older reading systems): without a DTD's external identifier. */
export const asEpub3Ncx = (source: string) => source.replace(/<!DOCTYPE\s+ncx\b[^>]*>\s*/i, '');

/** A document decoded from UTF-16 and written back as UTF-8 says so in its XML declaration. */
export function declaredUtf8(source: string): string {
  return source.replace(/^(<\?xml\b[^>]*\sencoding\s*=\s*["'])[^"']*/, '$1UTF-8');
}

/** What an EPUB 3 manifest must say of a content document that holds SVG, MathML or scripts. */
export function documentProperties(source: string): string[] {
  const found: string[] = [];
  if (/<(?:\w+:)?svg\b/.test(source)) found.push('svg');
  if (/<(?:\w+:)?math\b/.test(source)) found.push('mathml');
  if (/<script\b/i.test(source)) found.push('scripted');
  return found;
}

/** Links the read-along stylesheet (the highlight's look) from a content document's head. */
export function linkStylesheet(source: string, docPath: string, cssPath: string): string {
  const link = `<link rel="stylesheet" type="text/css" href="${escapeXml(relativeHref(docPath, cssPath))}"/>`;
  return source.replace(/<\/head\s*>/i, (close) => `${link}\n${close}`);
}

/** An EPUB 3 navigation document from the book's table of contents (an EPUB 2 book's NCX). */
export function navDocument(
  navPath: string,
  title: string,
  language: string,
  toc: TocEntry[],
): string {
  const list = (entries: TocEntry[], depth: number): string => {
    const items = entries
      .filter((e) => e.label.trim() && (e.path || e.children.length > 0))
      .map((e) => {
        const href =
          e.path && `${relativeHref(navPath, e.path)}${e.fragment ? `#${e.fragment}` : ''}`;
        const label = escapeXml(e.label.trim());
        const head = href ? `<a href="${escapeXml(href)}">${label}</a>` : `<span>${label}</span>`;
        const sub = e.children.length > 0 ? list(e.children, depth + 1) : '';
        return `<li>${head}${sub}</li>`;
      });
    return items.length > 0 ? `<ol>${items.join('')}</ol>` : '';
  };
  const body = list(toc, 0) || '<ol><li><span>(no contents)</span></li></ol>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="${escapeXml(language)}" lang="${escapeXml(language)}">
<head><title>${escapeXml(title)}</title></head>
<body><nav epub:type="toc" id="toc"><h1>${escapeXml(title)}</h1>${body}</nav></body>
</html>
`;
}
