import { type ChildNode, type Document, type Element, isTag } from 'domhandler';
import { parseDocument } from 'htmlparser2';

/**
 * htmlparser2 never reads a DTD: no external entity is fetched and no entity
 * is expanded beyond the built-in ones, so XXE and entity bombs are inert.
 */
export function parseXml(text: string): Document {
  return parseDocument(text, { xmlMode: true, decodeEntities: true });
}

/** Content documents are parsed leniently (real books are rarely well-formed). */
export function parseHtml(text: string): Document {
  return parseDocument(text, { recognizeSelfClosing: true, decodeEntities: true });
}

/** Tag name without namespace prefix, lower-cased: `dc:title` → `title`. */
export function localName(el: Element): string {
  const name = el.name.toLowerCase();
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

export function elements(nodes: ChildNode[]): Element[] {
  return nodes.filter(isTag);
}

/** All descendant elements with the given local name, in document order. */
export function findAll(root: { children: ChildNode[] }, name: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: ChildNode[]) => {
    for (const n of nodes) {
      if (!isTag(n)) continue;
      if (localName(n) === name) out.push(n);
      walk(n.children);
    }
  };
  walk(root.children);
  return out;
}

export function findFirst(root: { children: ChildNode[] }, name: string): Element | undefined {
  return findAll(root, name)[0];
}

export function attr(el: Element, name: string): string | undefined {
  for (const [k, v] of Object.entries(el.attribs)) {
    const key = k.toLowerCase();
    if (key === name || key.endsWith(`:${name}`)) return v;
  }
  return undefined;
}

export function textOf(node: ChildNode | Document): string {
  if (node.type === 'text') return (node as { data: string }).data;
  if ('children' in node) return node.children.map(textOf).join('');
  return '';
}

export function cleanSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Resolves an href relative to the document that holds it, within the archive. */
export function resolveHref(
  baseFile: string,
  href: string,
): { path: string; fragment: string | null } {
  const [rawPath = '', fragment] = href.split('#', 2);
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    // keep it as written: some books use literal '%' in names
  }
  const baseDir = baseFile.includes('/') ? baseFile.slice(0, baseFile.lastIndexOf('/') + 1) : '';
  const parts: string[] = [];
  for (const part of (decoded === '' ? baseFile : baseDir + decoded).split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return { path: parts.join('/'), fragment: fragment || null };
}
