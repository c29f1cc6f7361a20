import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { fixture } from '../support/fixtures.js';

/** MANIFEST.tsv describes each fixture: its language, and its title in the notes. */
function manifest(): { file: string; language: string; title: string | undefined }[] {
  const [header, ...rows] = fs.readFileSync(fixture('MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split('\t');
  return rows.map((row) => {
    const cells = row.split('\t');
    const get = (name: string) => cells[cols.indexOf(name)] ?? '';
    return {
      file: get('file'),
      language: get('language'),
      title: /title: ([^\]]+)\]/.exec(get('notes'))?.[1]?.trim(),
    };
  });
}

const books = manifest().filter(
  (b) => !b.file.startsWith('broken/') && b.file !== 'idpf-svg-in-spine.epub',
);

describe('parsing the real books', () => {
  it.each(books)(
    '$file: title, language and speakable chapters',
    async ({ file, language, title }) => {
      const book = await parseEpubFile(fixture(file));
      expect(book.language).toBe(language);
      if (title) expect(book.title).toBe(title);
      const spoken = book.chapters.filter((c) => !c.skipped);
      expect(spoken.length).toBeGreaterThan(0);
      for (const c of spoken) {
        expect(c.title.length).toBeGreaterThan(0);
        expect(c.text).toMatch(/[\p{L}\p{N}]/u);
      }
      expect(book.chapters.map((c) => c.n)).toEqual(book.chapters.map((_, i) => i + 1));
    },
  );

  it('follows a chapter boundary that points into the middle of a file (#fragment)', async () => {
    const book = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
    const titles = book.chapters.map((c) => c.title);
    expect(titles).toContain('Chapter 1');
    expect(titles).toContain('Chapter 61');
    const ch1 = book.chapters.find((c) => c.title === 'Chapter 1');
    expect(ch1?.text).toMatch(/^Chapter 1\s+It is a truth universally acknowledged/);
    expect(ch1?.text).not.toMatch(/Chapter 2/);
  });

  it('keeps Arabic and Japanese text intact', async () => {
    const ar = await parseEpubFile(fixture('idpf-regime-anticancer-arabic.epub'));
    expect(ar.chapters.some((c) => /[\u0600-\u06FF]{5}/.test(c.text))).toBe(true);
    const ja = await parseEpubFile(fixture('idpf-mymedia-lite-ja.epub'));
    expect(ja.chapters.some((c) => /[\u3040-\u30FF\u4E00-\u9FFF]{5}/.test(c.text))).toBe(true);
  });
});

describe('parsing broken and hostile files', () => {
  it.each([
    ['broken/not-a-zip.epub', /not a valid EPUB \(not a ZIP archive/],
    ['broken/zero-bytes.epub', /not a valid EPUB/],
    ['broken/missing-container-xml.epub', /META-INF\/container\.xml is missing/],
    [
      'broken/container-points-to-missing-opf.epub',
      /package document OEBPS\/package\.opf .* was not found/,
    ],
    ['broken/empty-spine.epub', /spine is empty/],
    ['broken/drm-lcp-wasteland.epub', /DRM-protected/],
  ])('%s fails with a precise message', async (file, message) => {
    await expect(parseEpubFile(fixture(file))).rejects.toThrow(message);
  });

  it('never resolves an external entity (XXE)', async () => {
    const book = await parseEpubFile(fixture('broken/xxe-external-entity.epub'));
    const all = book.chapters.map((c) => c.text).join('\n');
    expect(all).not.toMatch(/root:/);
    expect(all.length).toBeGreaterThan(100);
  });

  it('refuses a zip-bomb chapter and keeps the others', async () => {
    const book = await parseEpubFile(fixture('broken/zip-bomb-ish-5mb-zeros.epub'));
    expect(book.chapters.map((c) => Boolean(c.skipped))).toEqual([false, true, false]);
    expect(book.chapters[1]?.skipped).toMatch(/zip bomb/);
  });

  it('ignores a path-traversal entry', async () => {
    const book = await parseEpubFile(fixture('broken/zip-path-traversal.epub'));
    expect(book.chapters.filter((c) => !c.skipped)).toHaveLength(3);
  });
});
