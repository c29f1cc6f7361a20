import {
  type ChildNode,
  type Document,
  DomHandler,
  type DomHandlerOptions,
  type Element,
  isTag,
} from 'domhandler';
import { Parser, type ParserOptions } from 'htmlparser2';
import { stripUnspeakable } from '../text/clean-text.js';
import { EpubError, formatCount, MAX_ELEMENT_DEPTH } from './epub-limits.js';

/**
 * Builds the DOM and refuses markup nested deeper than MAX_ELEMENT_DEPTH while
 * it reads, so every later walk over the tree is bounded too.
 */
class DepthLimitedHandler extends DomHandler {
  constructor(
    private readonly name: string,
    options: ParserOptions & DomHandlerOptions,
  ) {
    super(undefined, options);
  }

  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_ELEMENT_DEPTH) {
      throw new EpubError(
        `${this.name} nests elements more than ${formatCount(MAX_ELEMENT_DEPTH)} deep, which no real book does; the book was refused`,
      );
    }
    super.onopentag(name, attribs);
  }
}

function parse(text: string, name: string, options: ParserOptions & DomHandlerOptions): Document {
  const handler = new DepthLimitedHandler(name, options);
  new Parser(handler, options).end(text);
  return handler.root;
}

/**
 * htmlparser2 never reads a DTD: no external entity is fetched and no entity
 * is expanded beyond the built-in ones, so XXE and entity bombs are inert.
 */
export function parseXml(text: string, name = 'a document'): Document {
  return parse(text, name, { xmlMode: true, decodeEntities: true });
}

/**
 * Whether every element of the markup is closed, in order, as XML requires. htmlparser2
 * reports a self-closing tag (`<br/>`) as an implied close too; it is told by its "/>".
 * Past MAX_ELEMENT_DEPTH open elements the answer is no, at once: as XML, thousands of
 * unclosed `<br>` nest (HTML knows them void), as do tags inside a `<title>` (text to HTML),
 * and htmlparser2's stack costs time in proportion to its depth at every tag (9 s seen).
 */
export function tagsBalanced(text: string): boolean {
  let balanced = true;
  let depth = 0;
  const parser: Parser = new Parser(
    {
      onopentagname() {
        if (++depth > MAX_ELEMENT_DEPTH) throw TOO_DEEP;
      },
      onclosetag(_name, implied) {
        depth--;
        const selfClosing = text[parser.endIndex] === '>' && text[parser.endIndex - 1] === '/';
        if (implied && !selfClosing) balanced = false;
      },
    },
    { xmlMode: true },
  );
  try {
    parser.end(text);
  } catch (err) {
    if (err === TOO_DEEP) return false;
    throw err;
  }
  return balanced;
}
const TOO_DEEP = Symbol('nested past MAX_ELEMENT_DEPTH');

/**
 * Content documents are parsed leniently (real books are rarely well-formed). `positions`
 * keeps where each node is written in `text` (`startIndex`, `endIndex`), for the read-along.
 */
export function parseHtml(text: string, name = 'a document', positions = false): Document {
  return parse(withoutInternalSubset(text), name, {
    recognizeSelfClosing: true,
    decodeEntities: true,
    withStartIndices: positions,
    withEndIndices: positions,
  });
}

const INTERNAL_SUBSET = /<!DOCTYPE[^[>]*(\[[\s\S]*?\])\s*>/i;

/**
 * A DOCTYPE's internal subset (`<!DOCTYPE html [<!ENTITY …>]>`) blanked: parsing HTML ends
 * the declaration at its first `>`, and the rest (`]>`) would be read aloud as text. Spaces
 * of the same length keep every position of the document where it was (the read-along).
 */
function withoutInternalSubset(text: string): string {
  const m = INTERNAL_SUBSET.exec(text.slice(0, 65_536));
  if (!m?.[1]) return text;
  const at = m.index + m[0].indexOf('[');
  return text.slice(0, at) + ' '.repeat(m[1].length) + text.slice(at + m[1].length);
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

/**
 * Every descendant of `root` in document order. Walked with an explicit stack,
 * not recursion, so no document can exhaust the call stack.
 */
export function* descendants(root: { children: ChildNode[] }): Generator<ChildNode> {
  const stack: ChildNode[] = [...root.children].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    yield node;
    if ('children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as ChildNode);
  }
}

/** All descendant elements with the given local name, in document order. */
export function findAll(root: { children: ChildNode[] }, name: string): Element[] {
  const out: Element[] = [];
  for (const node of descendants(root)) if (isTag(node) && localName(node) === name) out.push(node);
  return out;
}

export function findFirst(root: { children: ChildNode[] }, name: string): Element | undefined {
  for (const node of descendants(root)) if (isTag(node) && localName(node) === name) return node;
  return undefined;
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
  if (!('children' in node)) return '';
  const parts: string[] = [];
  for (const d of descendants(node))
    if (d.type === 'text') parts.push((d as { data: string }).data);
  return parts.join('');
}

export function cleanSpace(s: string): string {
  return stripUnspeakable(s).replace(/\s+/g, ' ').trim();
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
