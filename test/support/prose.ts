import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { fixture } from './fixtures.js';

/** Real sentences from a fixture: Pride and Prejudice's first chapter. */
export async function bookSentences(count: number): Promise<string[]> {
  const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
  const text = book.chapters.find((c) => c.text.includes('It is a truth universally'))?.text ?? '';
  const start = text.indexOf('It is a truth universally');
  return (text.slice(start).match(/[^.!?]+[.!?]+/g) ?? [])
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 20)
    .slice(0, count);
}
