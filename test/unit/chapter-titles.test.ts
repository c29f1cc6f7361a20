import { describe, expect, it } from 'vitest';
import { chapterTitles, isBareLabel, titleCase } from '../../src/epub/chapter-titles.js';

describe('chapter titles from the whole TOC path', () => {
  it.each([
    [
      'chapters numbered anew in each book (War and Peace)',
      [
        ['BOOK ONE: 1805', 'CHAPTER I'],
        ['BOOK ONE: 1805', 'CHAPTER II'],
        ['BOOK TWO: 1805', 'CHAPTER I'],
        ['BOOK TWO: 1805', 'CHAPTER XXXV'],
        ['FIRST EPILOGUE: 1813 - 20', 'CHAPTER I'],
      ],
      [
        'Book One: 1805 — Chapter I',
        'Book One: 1805 — Chapter II',
        'Book Two: 1805 — Chapter I',
        'Book Two: 1805 — Chapter XXXV',
        'First Epilogue: 1813 - 20 — Chapter I',
      ],
    ],
    [
      'numeral-only sub-entries of named stories (Sherlock Holmes)',
      [
        ['I. A SCANDAL IN BOHEMIA', 'I.'],
        ['I. A SCANDAL IN BOHEMIA', 'II.'],
        ['II. THE RED-HEADED LEAGUE'],
      ],
      ['A Scandal in Bohemia — I', 'A Scandal in Bohemia — II', 'II. The Red-Headed League'],
    ],
    [
      'labels that tell chapters apart alone stay alone',
      [['Loomings'], ['The Carpet-Bag'], ['Part One', 'The Spouter-Inn']],
      ['Loomings', 'The Carpet-Bag', 'The Spouter-Inn'],
    ],
    [
      'a name repeated in two parts takes the part',
      [
        ['Part One', 'Epilogue'],
        ['Part Two', 'Epilogue'],
      ],
      ['Part One — Epilogue', 'Part Two — Epilogue'],
    ],
    [
      'two levels up where one is not enough',
      [
        ['Volume I', 'Book 1', 'Chapter 1'],
        ['Volume II', 'Book 1', 'Chapter 1'],
      ],
      ['Volume I — Book 1 — Chapter 1', 'Volume II — Book 1 — Chapter 1'],
    ],
    [
      'alike with nothing left to tell them apart: numbered',
      [['Notes'], ['Notes'], ['']],
      ['Notes', 'Notes (2)', ''],
    ],
  ])('%s', (_case, paths, titles) => {
    expect(chapterTitles(paths, 'en')).toEqual(titles);
  });

  it('knows a bare number from a name', () => {
    for (const bare of ['I.', 'XIV', '12', 'CHAPTER XXXV', 'Chapter 3:', 'Book II', 'Part 1'])
      expect(isBareLabel(bare), bare).toBe(true);
    for (const named of ['I. A Scandal in Bohemia', 'Chapter One', 'Loomings', 'Book of Job'])
      expect(isBareLabel(named), named).toBe(false);
  });
});

describe('headings in capitals, in title case', () => {
  it.each([
    ['THE STRANGE CASE OF DR. JEKYLL AND MR. HYDE', 'The Strange Case of Dr. Jekyll and Mr. Hyde'],
    ['SEARCH FOR MR. HYDE', 'Search for Mr. Hyde'],
    ['CHAPTER XIV', 'Chapter XIV'],
    ['BOOK ONE: 1805', 'Book One: 1805'],
    ['THE MAN WITH THE TWISTED LIP', 'The Man with the Twisted Lip'],
    ['WHAT I SAW', 'What I Saw'],
    ['I—DOWN THE RABBIT-HOLE', 'I—Down the Rabbit-Hole'],
    ['190 A FOUR-LEAVED CLOVER', '190 A Four-Leaved Clover'],
    ["THE LION'S MANE", "The Lion's Mane"],
    ['NOTES ON "THE WASTE LAND"', 'Notes on "The Waste Land"'],
    ['A Study in Scarlet', 'A Study in Scarlet'],
  ])('%s', (label, title) => {
    expect(titleCase(label, 'en')).toBe(title);
  });

  it('leaves caseless scripts and mixed case as written', () => {
    expect(titleCase('ガリ版の話', 'ja')).toBe('ガリ版の話');
    expect(titleCase('iPhone STORIES', 'en')).toBe('iPhone STORIES');
    expect(titleCase('EL FIN', 'es')).toBe('El Fin');
  });
});
