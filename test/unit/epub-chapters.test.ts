import { describe, expect, it } from 'vitest';
import { chapterStarts } from '../../src/epub/epub-chapters.js';
import type { SpineItem } from '../../src/epub/epub-package.js';
import type { TocEntry } from '../../src/epub/epub-toc.js';

const doc = (n: number): SpineItem => ({
  item: {
    id: `d${n}`,
    path: `OEBPS/d${n}.xhtml`,
    mediaType: 'application/xhtml+xml',
    properties: [],
    fallback: null,
  },
  linear: true,
});
const entry = (label: string, n: number | null, children: TocEntry[] = []): TocEntry => ({
  label,
  path: n === null ? null : `OEBPS/d${n}.xhtml`,
  fragment: null,
  children,
});

describe('chapter starts keep their TOC path', () => {
  it('opens up the parts that only group chapters, and keeps each chapter’s part', async () => {
    // War and Peace's shape: BOOK ONE and BOOK TWO, each only grouping its "CHAPTER I…".
    const toc = [
      entry('BOOK ONE: 1805', 0, [entry('CHAPTER I', 0), entry('CHAPTER II', 1)]),
      entry('BOOK TWO: 1805', 2, [entry('CHAPTER I', 2), entry('CHAPTER II', 3)]),
      entry('EPILOGUE', 4),
    ];
    const order = [0, 1, 2, 3, 4].map(doc);
    const starts = await chapterStarts(toc, order, async () => 0);
    expect(starts.map((s) => s.path)).toEqual([
      ['BOOK ONE: 1805', 'CHAPTER I'],
      ['BOOK ONE: 1805', 'CHAPTER II'],
      ['BOOK TWO: 1805', 'CHAPTER I'],
      ['BOOK TWO: 1805', 'CHAPTER II'],
      ['EPILOGUE'],
    ]);
  });

  it('keeps each label as the TOC has it (titles are made from the paths)', async () => {
    const toc = [entry('PART I', 0, [entry('Chapter 1', 0), entry('Chapter 2', 1)])];
    const starts = await chapterStarts(toc, [0, 1].map(doc), async () => 0);
    expect(starts.map((s) => s.label)).toEqual(['Chapter 1', 'Chapter 2']);
    expect(starts.map((s) => s.path)).toEqual([
      ['PART I', 'Chapter 1'],
      ['PART I', 'Chapter 2'],
    ]);
  });
});
