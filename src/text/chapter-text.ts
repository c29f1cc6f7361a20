import type { Readable } from 'node:stream';
import { splitSegments } from './segments.js';

/**
 * A book's chapter texts as one object, each chapter a byte range of it: a
 * 1000-chapter book makes one storage write, not 1000.
 */
export function packTexts(chapters: { n: number; text: string }[]) {
  const ranges = new Map<number, { start: number; end: number }>();
  const parts: Buffer[] = [];
  let offset = 0;
  for (const c of chapters) {
    const bytes = Buffer.from(c.text);
    ranges.set(c.n, { start: offset, end: offset + bytes.length });
    parts.push(bytes);
    offset += bytes.length;
  }
  return { texts: Buffer.concat(parts), ranges };
}

/** One chapter's text, read back from its range of the packed object. */
export async function readChapterText(
  read: (range: { start: number; end: number }) => Promise<Readable>,
  range: { start: number | null; end: number | null },
): Promise<string | null> {
  const { start, end } = range;
  if (start == null || end == null) return null;
  if (end <= start) return '';
  const chunks: Buffer[] = [];
  for await (const c of await read({ start, end: end - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Words only, in lower case: how titles and lines are compared. */
export const comparable = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * The title is spoken on its own, then a pause. Most chapters open with their
 * heading; when it is the title, it is not read twice.
 */
export function splitTitle(title: string, text: string): { title: string; body: string } {
  const [first = '', ...rest] = text.split('\n\n');
  if (comparable(first) === comparable(title)) return { title: first, body: rest.join('\n\n') };
  return { title, body: text };
}

/** What a chapter's job sends to the engine, in order: its title, then its body in segments. */
export function chapterSegments(title: string, text: string, maxChars: number): string[] {
  const split = splitTitle(title, text);
  return [split.title, ...splitSegments(split.body, maxChars)].filter((t) => t.trim());
}
