import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PG_HEADER, PRINTED_CONTENTS, TRANSCRIBER_NOTE } from '../../src/epub/boilerplate.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { fixture } from '../support/fixtures.js';
import { type BookParts, parseMadeBook } from '../support/poison-books.js';

const made = parseMadeBook;

const prose = (words: number) =>
  `<p>${'In October a Russian army was quartered in the villages. '.repeat(Math.ceil(words / 10))}</p>`;
const li = (href: string, label: string, children = '') =>
  `<li><a href="${href}">${label}</a>${children ? `<ol>${children}</ol>` : ''}</li>`;

/**
 * War and Peace as Project Gutenberg made it: a flat TOC of part headings and chapters that
 * restart at I in each part, every entry a fragment of a file that holds several; the
 * printed contents and the volunteers' credit open the first file.
 */
function warAndPeace(): BookParts {
  const book = (id: string, label: string, chapters: string[]) =>
    `<h2 id="${id}">${label}</h2>${chapters.map((c, i) => `<h2 id="${id}c${i + 1}">${c}</h2>${prose(60)}`).join('')}`;
  return {
    title: 'War and Peace',
    docs: {
      'front.xhtml': `<p>Produced by An Anonymous Volunteer and David Widger</p><h1 id="t">WAR AND PEACE</h1><p>By Leo Tolstoy/Tolstoi</p><h2>CONTENTS</h2>${['BOOK ONE: 1805', 'CHAPTER I', 'CHAPTER II', 'BOOK TWO: 1805', 'CHAPTER I', 'CHAPTER II', 'CHAPTER XXXV', 'SECOND EPILOGUE', 'CHAPTER I'].map((l) => `<p>${l}</p>`).join('')}`,
      'b1.xhtml': book('b1', 'BOOK ONE: 1805', ['CHAPTER I', 'CHAPTER II']),
      'b2.xhtml': book('b2', 'BOOK TWO: 1805', ['CHAPTER I', 'CHAPTER II', 'CHAPTER XXXV']),
      'e2.xhtml': book('e2', 'SECOND EPILOGUE', ['CHAPTER I']),
    },
    toc: [
      li('front.xhtml#t', 'WAR AND PEACE'),
      li('b1.xhtml#b1', 'BOOK ONE: 1805'),
      li('b1.xhtml#b1c1', 'CHAPTER I'),
      li('b1.xhtml#b1c2', 'CHAPTER II'),
      li('b2.xhtml#b2', 'BOOK TWO: 1805'),
      li('b2.xhtml#b2c1', 'CHAPTER I'),
      li('b2.xhtml#b2c2', 'CHAPTER II'),
      li('b2.xhtml#b2c3', 'CHAPTER XXXV'),
      li('e2.xhtml#e2', 'SECOND EPILOGUE'),
      li('e2.xhtml#e2c1', 'CHAPTER I'),
    ].join(''),
  };
}

describe('chapters a listener can navigate', () => {
  it('folds part headings into their first chapter and names every chapter by its part', async () => {
    const book = await made('war-and-peace', warAndPeace());
    expect(book.chapters.map((c) => c.title)).toEqual([
      'War and Peace',
      'Book One: 1805 — Chapter I',
      'Book One: 1805 — Chapter II',
      'Book Two: 1805 — Chapter I',
      'Book Two: 1805 — Chapter II',
      // Bare numbers carry their part even where they are unique in the book.
      'Book Two: 1805 — Chapter XXXV',
      'Second Epilogue — Chapter I',
    ]);
    // The heading is read first where it was folded: nothing is lost.
    expect(book.chapters[3]?.text).toMatch(/^BOOK TWO: 1805\n\nCHAPTER I\n\nIn October/);
    expect(book.chapters.every((c) => c.text.split(/\s+/).length > 10)).toBe(true);
  });

  it('sets aside the credit and the printed contents of the first file, and says so', async () => {
    const parts = warAndPeace();
    const preface = Array.from({ length: 12 }, () => prose(20)).join('');
    parts.docs['front.xhtml'] += `<h2>A NOTE ON THE TRANSLATION</h2>${preface}`;
    const book = await made('war-and-peace-front', parts);
    const [front] = book.chapters;
    expect(front?.text).toMatch(
      /^WAR AND PEACE\n\nBy Leo Tolstoy\/Tolstoi\n\nA NOTE ON THE TRANSLATION\n\nIn October/,
    );
    expect(book.warnings).toEqual([
      "chapter 1 (War and Peace): the volunteers' credit is not read",
      'chapter 1 (War and Peace): a printed table of contents in it is not read',
    ]);
  });

  it('skips a first file that is mostly credit and contents, with its reason', async () => {
    const book = await made('front-only', warAndPeace());
    expect(book.chapters[0]?.skipped).toBe(PRINTED_CONTENTS);
    expect(book.warnings).toEqual([
      "chapter 1 (War and Peace): the volunteers' credit is not read",
    ]);
  });

  it('names numeral-only sub-entries by their story, and keeps each story’s name', async () => {
    const story = (id: string, label: string, parts: number) =>
      `<h2 id="${id}">${label}</h2>${Array.from({ length: parts }, (_, i) => `<h3 id="${id}p${i + 1}">${['I.', 'II.', 'III.'][i]}</h3>${prose(40)}`).join('')}`;
    const book = await made('sherlock', {
      docs: {
        's1.xhtml': story('s1', 'I. A SCANDAL IN BOHEMIA', 3),
        's2.xhtml': `<h2 id="s2">II. THE RED-HEADED LEAGUE</h2>${prose(200)}`,
      },
      toc: [
        li(
          's1.xhtml#s1',
          'I. A SCANDAL IN BOHEMIA',
          ['I.', 'II.', 'III.'].map((l, i) => li(`s1.xhtml#s1p${i + 1}`, l)).join(''),
        ),
        li('s2.xhtml#s2', 'II. THE RED-HEADED LEAGUE'),
      ].join(''),
    });
    expect(book.chapters.map((c) => c.title)).toEqual([
      'A Scandal in Bohemia — I',
      'A Scandal in Bohemia — II',
      'A Scandal in Bohemia — III',
      'II. The Red-Headed League',
    ]);
  });

  it('skips a transcriber’s note, and a picture page with a reason that says what reads it', async () => {
    const book = await made('notes-and-pictures', {
      docs: {
        'tn.xhtml':
          "<h1>Transcriber's Notes</h1><p>Obvious typographical errors have been corrected.</p>",
        'page.xhtml': '<img src="p1.png" alt="Yes! I will!"/>',
        'ch.xhtml': prose(50),
      },
    });
    expect(book.chapters.map((c) => c.skipped)).toEqual([
      TRANSCRIBER_NOTE,
      "only pictures (upload with altText=true to read their alt text, a manga's dialogue)",
      null,
    ]);
  });

  it('never reads a DOCTYPE’s internal subset', async () => {
    const doc = `<?xml version="1.0"?><!DOCTYPE html [<!ENTITY ndash "&#8211;">]><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><p>One &ndash; two.</p></body></html>`;
    const book = await made('doctype', {
      docs: {},
      raw: { 'a.xhtml': { data: doc, mediaType: 'application/xhtml+xml' } },
    });
    expect(book.chapters[0]?.text).not.toMatch(/\]|>/);
    expect(book.chapters[0]?.text).toMatch(/^One/);
  });

  it('gives every chapter of every fixture a title of its own', async () => {
    const dir = path.dirname(fixture('MANIFEST.tsv'));
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.epub'));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const book = await parseEpubFile(path.join(dir, file)).catch(() => undefined);
      if (!book) continue; // a book refused as a whole has no chapters to tell apart
      const titles = book.chapters.map((c) => c.title.toLowerCase());
      expect(new Set(titles).size, file).toBe(titles.length);
    }
  });
});

// The header file the EPUB 2 guide names as the book's contents is listed as left out.
it('lists the pages a book marks as its cover or contents among what is left out', async () => {
  const book = await parseEpubFile(fixture('pressbooks-metamorphosis-epub2.epub'));
  expect(book.warnings.some((w) => /cover or table of contents/.test(w))).toBe(true);
  expect(PG_HEADER).toMatch(/Project Gutenberg/);
});
