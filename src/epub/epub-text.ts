import { type ChildNode, type Document, type Element, isTag, isText } from 'domhandler';
import { stripUnspeakable } from '../text/clean-text.js';
import { SCENE_BREAK } from '../text/segments.js';
import { cleanSpace, localName, textOf } from './xml.js';

const SKIPPED_TAGS = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'rt',
  'rp',
  'case',
  'math',
  'object',
  'iframe',
  'video',
  'audio',
  'canvas',
  'button',
  'input',
  'select',
  'textarea',
]);
export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'td',
  'th',
  'ul',
  'body',
  'title',
  'text',
  'caption',
]);
const PICTURES = new Set(['img', 'image', 'svg']);
/** Semantics that mark apparatus rather than the text to be read (EPUB 3 and DPUB-ARIA). */
const SKIPPED_SEMANTICS =
  /\b(noteref|footnotes?|endnotes?|rearnotes?|pagebreak|page-list|annoref|toc|landmarks|cover)\b/;

/** Where extraction starts and stops inside one document (element ids, or the document edges). */
export interface Range {
  startId: string | null;
  endId: string | null;
  /** Read each picture's alt text as a paragraph (ReadOptions.altText). */
  altText?: boolean;
}

export interface Extracted {
  text: string;
  heading: string | null;
  /** True once the end anchor was met: the caller stops reading further documents. */
  ended: boolean;
  /** True when text was left out on purpose (notes, navigation), so an empty result is explained. */
  omitted: boolean;
  /** Pictures whose alt text was not read (their only words, on a manga's page). */
  pictures: number;
}

/** An element whose text is never read aloud (scripts, hidden elements, notes and their markers). */
export function isSkipped(el: Element): boolean {
  if (SKIPPED_TAGS.has(localName(el))) return true;
  const a = el.attribs;
  if ('hidden' in a || a['aria-hidden'] === 'true') return true;
  if (/display\s*:\s*none/i.test(a.style ?? '')) return true;
  const semantics = `${a['epub:type'] ?? ''} ${a.role ?? ''}`;
  if (SKIPPED_SEMANTICS.test(semantics)) return true;
  return isNoteMarker(el);
}

/** `<sup><a href="#n1">1</a></sup>` and bare `<a href="#n1">[1]</a>`: read as noise mid-sentence. */
function isNoteMarker(el: Element): boolean {
  const name = localName(el);
  if (name !== 'a' && name !== 'sup') return false;
  const link =
    name === 'a' ? el : el.children.find((c): c is Element => isTag(c) && localName(c) === 'a');
  if (!link || !(link.attribs.href ?? '').includes('#')) return false;
  return /^\s*[[(]?\s*[\d*†‡§a-z]{1,3}\s*[\])]?\s*$/i.test(textOf(el));
}

/** A step of the walk: enter a node (speaking or not), or leave a block element. */
type Step = { node: ChildNode; speaking: boolean } | { leave: true };

/**
 * Speakable text of one document between two anchors. Block elements become
 * paragraphs; apparatus (scripts, hidden elements, note markers) is dropped.
 * The walk keeps its own stack, so nesting depth costs memory, not call stack.
 */
export function extractText(doc: Document, range: Range): Extracted {
  const out: string[] = [];
  let heading: string | null = null;
  let active = range.startId === null;
  let omitted = false;
  let pictures = 0;
  const start = range.startId === null ? undefined : idsOf(doc).get(range.startId);
  // An anchor the document lacks starts nothing here (a TOC may name thousands of them).
  if (range.startId !== null && !start)
    return { text: '', heading: null, ended: false, omitted, pictures };
  const stack: Step[] = start
    ? stackFrom(start)
    : doc.children.map((node) => ({ node, speaking: true })).reverse();
  for (let step = stack.pop(); step; step = stack.pop()) {
    if ('leave' in step) {
      out.push('\n\n');
      continue;
    }
    const { node, speaking } = step;
    if (isText(node)) {
      if (active && speaking) out.push(node.data);
      continue;
    }
    if (!isTag(node)) continue;
    const id = node.attribs.id;
    if (id !== undefined && id === range.endId) {
      return { text: normalize(out.join('')), heading, ended: true, omitted, pictures };
    }
    if (id !== undefined && id === range.startId) active = true;
    const name = localName(node);
    const speak = speaking && !isSkipped(node);
    if (active && speaking && !speak && isSpeakable(textOf(node))) omitted = true;
    if (active && speak && heading === null && /^h[1-6]$/.test(name)) {
      heading = cleanSpace(textOf(node)) || null;
    }
    const alt = range.altText && name === 'img' ? cleanSpace(node.attribs.alt ?? '') : '';
    if (alt && active && speak) out.push(`\n\n${alt}\n\n`);
    else if (PICTURES.has(name) && active && speak) pictures++;
    // A thematic break (a scene change) is kept as one, to be a pause of its own.
    if (name === 'hr' && active && speak) out.push(`\n\n${SCENE_BREAK}\n\n`);
    const block = BLOCK_TAGS.has(name) || name === 'br';
    if (block) {
      out.push('\n\n');
      stack.push({ leave: true });
    }
    for (let i = node.children.length - 1; i >= 0; i--)
      stack.push({ node: node.children[i] as ChildNode, speaking: speak });
  }
  return { text: normalize(out.join('')), heading, ended: false, omitted, pictures };
}

/** Each document's elements by id, indexed once: a book whose TOC points at thousands of anchors. */
const idIndex = new WeakMap<Document, Map<string, Element>>();

function idsOf(doc: Document): Map<string, Element> {
  let ids = idIndex.get(doc);
  if (ids) return ids;
  ids = new Map();
  const stack: ChildNode[] = [...doc.children];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (!isTag(node)) continue;
    const id = node.attribs.id;
    if (id !== undefined && !ids.has(id)) ids.set(id, node);
    stack.push(...node.children);
  }
  idIndex.set(doc, ids);
  return ids;
}

/**
 * The walk's stack for a range that starts at `start`: the element itself, then what follows
 * it at each level up to the root, each with the speaking state its ancestors give it, so the
 * walk begins at the anchor instead of at the top of the document (which made a document
 * with thousands of TOC anchors cost its size once per anchor).
 */
function stackFrom(start: Element): Step[] {
  const ancestors: Element[] = [];
  for (let p = start.parent; p && isTag(p); p = p.parent) ancestors.push(p);
  ancestors.reverse();
  const stack: Step[] = [];
  // Outermost first: the stack is popped from its end, so what follows deepest comes out first.
  let speaking = true; // no enclosing element so far is skipped
  for (const node of [...ancestors, start]) {
    const siblings = (node.parent?.children ?? []) as ChildNode[];
    const after = siblings.slice(siblings.indexOf(node) + 1);
    for (let i = after.length - 1; i >= 0; i--)
      stack.push({ node: after[i] as ChildNode, speaking });
    if (node === start) break;
    // Leaving an enclosing block ends its paragraph, before what follows it.
    if (BLOCK_TAGS.has(localName(node))) stack.push({ leave: true });
    speaking &&= !isSkipped(node);
  }
  stack.push({ node: start, speaking });
  return stack;
}

/** Collapses whitespace inside paragraphs and keeps one blank line between them. */
export function normalize(text: string): string {
  return stripUnspeakable(text)
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}

/** Text worth sending to a speech engine has at least one letter or digit. */
export function isSpeakable(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

const WORD =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;

/** Words, counting each CJK character as one: those scripts do not separate words with spaces. */
export function wordCount(text: string): number {
  return text.match(WORD)?.length ?? 0;
}
