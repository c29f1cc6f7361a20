import type { ChildNode, Element, ParentNode, Text } from 'domhandler';
import { isTag } from 'domhandler';
import { BLOCK_TAGS } from './epub-text.js';
import { type DocumentText, keyRangeOf } from './overlay-text.js';
import { localName } from './xml.js';

/**
 * How many letters and digits may lie between one sentence and the next in the book and it
 * still be taken for its place without more proof: a note's marker, a page number.
 */
const ADJACENT = 24;
/** How far the next sentence may follow a sentence found further on, for that to be its place. */
const NEAR = 400;
/** A sentence with this many letters and digits is not found by chance anywhere. */
const UNIQUE = 80;

/** Elements a `<span>` may not stand for or inside: they hold no text of their own. */
const NO_PHRASING = new Set([
  'html',
  'head',
  'ul',
  'ol',
  'dl',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'colgroup',
  'select',
  'optgroup',
  'datalist',
  'hgroup',
  'menu',
  'svg',
  'math',
]);
const NOT_INSIDE_A_SPAN = new Set([...BLOCK_TAGS, ...NO_PHRASING, 'form', 'fieldset', 'details']);

/** A sentence placed in the book: the span `id` in document `doc` says text `piece`. */
export interface Placed {
  doc: number;
  id: string;
  piece: number;
}

export interface Alignment {
  /** Each document's source with its sentences' spans (unchanged where none was placed). */
  sources: string[];
  /** The texts placed, in reading order. */
  placed: Placed[];
}

/**
 * Finds each spoken text (`keys`: comparableKey of each, in the order they are said) in the
 * book's documents, in order, and wraps it in a `<span id>`: the text itself is untouched.
 * A text is looked for after the one before; one found further ahead is taken only if the
 * text after it follows it there too (a chapter's title also appears in a printed contents
 * page, or further on, when the chapter's text begins before its heading).
 * A text not found, or one that a span cannot wrap (it crosses a paragraph, or ends inside
 * an element that goes on), is left out; whoever times the spans gives its sound to the one
 * before.
 */
export function alignText(docs: DocumentText[], keys: string[], idPrefix: string): Alignment {
  const offsets: number[] = [];
  let total = 0;
  for (const d of docs) {
    offsets.push(total);
    total += d.key.length;
  }
  const book = docs.map((d) => d.key).join('');
  const inserts: { at: number; text: string }[][] = docs.map(() => []);
  const lastClose = docs.map(() => 0);
  const placed: Placed[] = [];
  let pos = 0;
  keys.forEach((key, i) => {
    const o = locate(book, keys, i, pos);
    if (o < 0) return;
    pos = o + key.length;
    const d = docAt(offsets, o);
    const text = docs[d] as DocumentText;
    const a = o - (offsets[d] as number);
    if (a + key.length > text.key.length) return; // runs into the next document
    const bounds = spanBounds(text, a, a + key.length);
    if (!bounds) return;
    const floor = lastClose[d] as number;
    if (bounds.open < floor) {
      if ((text.rawStart[a] as number) < floor) return;
      bounds.open = floor;
    }
    const id = `${idPrefix}-${placed.length + 1}`;
    inserts[d]?.push(
      { at: bounds.open, text: `<span id="${id}">` },
      { at: bounds.close, text: '</span>' },
    );
    lastClose[d] = bounds.close;
    placed.push({ doc: d, id, piece: i });
  });
  return { sources: docs.map((d, i) => splice(d.source, inserts[i] ?? [])), placed };
}

/** Where `keys[i]` is, at or after `pos` in `book`, by the rules of alignText; -1 if nowhere. */
function locate(book: string, keys: string[], i: number, pos: number): number {
  const key = keys[i];
  if (!key) return -1;
  let o = book.indexOf(key, pos);
  for (let tries = 0; o >= 0 && tries < 20; tries++) {
    if (o - pos <= ADJACENT || followed(book, keys, i, o)) return o;
    o = book.indexOf(key, o + 1);
  }
  return -1;
}

/**
 * Whether `keys[i]` found at `o` is its place: the texts after it follow it there, each
 * within NEAR of the one before, until UNIQUE letters and digits in all (or the book ends).
 */
function followed(book: string, keys: string[], i: number, o: number): boolean {
  let at = o + (keys[i] as string).length;
  let proof = at - o;
  for (let k = i + 1; k < keys.length && proof < UNIQUE; k++) {
    const next = keys[k];
    if (!next) continue;
    const q = book.indexOf(next, at);
    if (q < 0 || q - at > NEAR) return false;
    at = q + next.length;
    proof += next.length;
  }
  return true;
}

function docAt(offsets: number[], o: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] as number) <= o) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Where a span around key characters [a, b) of one document opens and closes in its source:
 * both in the same parent, around whole inline elements only, with the sentence's opening
 * and closing punctuation; null where no span can (it would cross a block or cut an element).
 */
function spanBounds(t: DocumentText, a: number, b: number): { open: number; close: number } | null {
  const first = t.nodes[a] as Text;
  const last = t.nodes[b - 1] as Text;
  const parent = commonParent(first, last);
  if (!parent || !holdsText(parent)) return null;
  const from = childUnder(parent, first);
  const to = childUnder(parent, last);
  const siblings = parent.children;
  for (let i = siblings.indexOf(from); i <= siblings.indexOf(to); i++) {
    const node = siblings[i] as ChildNode;
    if (isTag(node) && NOT_INSIDE_A_SPAN.has(localName(node))) return null;
  }
  let open = t.rawStart[a] as number;
  if (from === first) {
    while (
      open > (first.startIndex ?? 0) &&
      /[\p{Ps}\p{Pi}"'¿¡]/u.test(t.source[open - 1] ?? '') &&
      t.source[open - 1] !== ';'
    )
      open--;
  } else if (keyRangeOf(t, from)?.[0] === a) open = from.startIndex ?? -1;
  else return null;
  let close = t.rawEnd[b - 1] as number;
  if (to === last) {
    const end = (last.endIndex ?? 0) + 1;
    // Not into a character reference (`&#8221;`): its `&` and `;` are punctuation too.
    while (
      close < end &&
      /[\p{Pe}\p{Pf}\p{Po}]/u.test(t.source[close] ?? '') &&
      t.source[close] !== '&'
    )
      close++;
  } else if (keyRangeOf(t, to)?.[1] === b - 1) close = (to.endIndex ?? -2) + 1;
  else return null;
  return open >= 0 && close > open ? { open, close } : null;
}

function ancestors(node: ChildNode): ParentNode[] {
  const chain: ParentNode[] = [];
  for (let p = node.parent; p; p = p.parent) chain.unshift(p);
  return chain;
}

function commonParent(x: ChildNode, y: ChildNode): Element | null {
  const ax = ancestors(x);
  const ay = ancestors(y);
  let common: ParentNode | null = null;
  for (let i = 0; i < ax.length && ax[i] === ay[i]; i++) common = ax[i] as ParentNode;
  return common && isTag(common) ? common : null;
}

/** The child of `parent` that is or holds `node`. */
function childUnder(parent: ParentNode, node: ChildNode): ChildNode {
  let at = node;
  while (at.parent && at.parent !== parent) at = at.parent as ChildNode;
  return at;
}

/** Whether a span may stand inside `el`: an HTML element that holds text, not inside SVG or MathML. */
function holdsText(el: Element): boolean {
  if (NO_PHRASING.has(localName(el))) return false;
  for (let at: ParentNode | null = el; at && isTag(at); at = at.parent) {
    if (at.name.includes(':') || at.name === 'svg' || at.name === 'math') return false;
  }
  return true;
}

/** `source` with each insertion made at its position (those at one position in order). */
function splice(source: string, inserts: { at: number; text: string }[]): string {
  if (inserts.length === 0) return source;
  const sorted = inserts.map((x, i) => ({ ...x, i })).sort((p, q) => p.at - q.at || p.i - q.i);
  const out: string[] = [];
  let from = 0;
  for (const { at, text } of sorted) {
    out.push(source.slice(from, at), text);
    from = at;
  }
  out.push(source.slice(from));
  return out.join('');
}
