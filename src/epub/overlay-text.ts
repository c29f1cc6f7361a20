import { type ChildNode, type Document, isTag, isText, type Text } from 'domhandler';
import { isSkipped } from './epub-text.js';
import { parseHtml } from './xml.js';

/**
 * A content document's words as the read-along matches them: its letters and digits, in
 * lower case, in document order, each with where it is written in the document's source.
 * Only text that is read aloud counts (epub-text.ts isSkipped), so a note's number or a
 * hidden element never stands between two words of a sentence.
 */
export interface DocumentText {
  source: string;
  doc: Document;
  /** One character per letter or digit (what `comparableKey` gives the spoken text). */
  key: string;
  /** For each character of `key`: its text node, and its [start, end) in `source`. */
  nodes: Text[];
  rawStart: Int32Array;
  rawEnd: Int32Array;
  /** Each text node's first and last index in `key`. */
  spans: Map<Text, [number, number]>;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
/** A character reference as written in the source (`&#233;`, `&eacute;`): one character read. */
const REFERENCE = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/iy;

/** A letter or digit as matched: lower case where that keeps it one character. */
function comparableChar(ch: string): string {
  const lower = ch.toLowerCase();
  return lower.length === ch.length ? lower : ch;
}

/** The letters and digits of `text` as `DocumentText.key` holds them. */
export function comparableKey(text: string): string {
  let key = '';
  for (const ch of text) if (WORD_CHAR.test(ch)) key += comparableChar(ch);
  return key;
}

/** The words of one well-formed XHTML document, mapped to its source. */
export function documentText(source: string, name?: string): DocumentText {
  // Parsed as the book's parser does (entities decoded), keeping where each node is written.
  const doc = parseHtml(source, name, true);
  const chars: string[] = [];
  const nodes: Text[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const spans = new Map<Text, [number, number]>();
  const stack: ChildNode[] = [...doc.children].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (isText(node)) {
      const first = chars.length;
      if (!mapText(node, source, chars, starts, ends)) {
        // The node's source could not be followed character by character: left unmatched.
        chars.length = starts.length = ends.length = first;
      }
      for (let i = nodes.length; i < chars.length; i++) nodes.push(node);
      if (chars.length > first) spans.set(node, [first, chars.length - 1]);
      continue;
    }
    if (!isTag(node) || isSkipped(node)) continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as ChildNode);
  }
  return {
    source,
    doc,
    key: chars.join(''),
    nodes,
    rawStart: Int32Array.from(starts),
    rawEnd: Int32Array.from(ends),
    spans,
  };
}

/** Appends a text node's letters and digits with their source positions; false if out of step. */
function mapText(
  node: Text,
  source: string,
  chars: string[],
  starts: number[],
  ends: number[],
): boolean {
  const from = node.startIndex ?? -1;
  const to = (node.endIndex ?? -2) + 1;
  if (from < 0 || to <= from) return node.data.length === 0;
  let j = from;
  for (const ch of node.data) {
    if (j >= to) return false;
    REFERENCE.lastIndex = j;
    const written =
      source[j] === '&' && REFERENCE.test(source) ? REFERENCE.lastIndex - j : ch.length;
    // One entry per UTF-16 unit, as `key` indexes them (a letter outside the BMP is two).
    for (const unit of WORD_CHAR.test(ch) ? comparableChar(ch).split('') : []) {
      chars.push(unit);
      starts.push(j);
      ends.push(j + written);
    }
    j += written;
  }
  return j === to;
}

/** The first and last index in `key` of the text inside `node`, or null if it has none. */
export function keyRangeOf(text: DocumentText, node: ChildNode): [number, number] | null {
  if (isText(node)) return text.spans.get(node) ?? null;
  let first = -1;
  let last = -1;
  const stack: ChildNode[] = isTag(node) ? [...node.children].reverse() : [];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (isText(n)) {
      const span = text.spans.get(n);
      if (span && first < 0) first = span[0];
      if (span) last = span[1];
    } else if (isTag(n))
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as ChildNode);
  }
  return first < 0 ? null : [first, last];
}
