/** A book as the parser reads it (epub-parser.ts), and what a reading may choose. */

export interface Chapter {
  n: number;
  title: string;
  text: string;
  /** Why the chapter is not read aloud (it has no speakable text), or null. */
  skipped: string | null;
  /** Its TOC path while the book is read: the labels it was opened up from, then its own. */
  path?: string[];
}

/**
 * A chapter as the parse hands it on, with what the catalogue shows of it, counted in the
 * parse thread: over a big book's text that work held a worker's event loop for seconds.
 */
export interface ReadChapter extends Omit<Chapter, 'path'> {
  words: number;
  /** Its first words, so a reviewer can tell what it is. */
  excerpt: string;
}

export interface ParsedBook {
  title: string;
  author: string | null;
  language: string;
  chapters: ReadChapter[];
  cover: { bytes: Buffer; mediaType: string } | null;
  warnings: string[];
}

/** How a book is read, as its upload chose (`altText`, `boilerplate`). */
export interface ReadOptions {
  /** Read pictures' alt text (a manga's dialogue); off by default: most alt text describes. */
  altText: boolean;
  /** Read Project Gutenberg's header and licence and printed contents pages (boilerplate.ts). */
  keepBoilerplate: boolean;
}
export const DEFAULT_READ_OPTIONS: ReadOptions = { altText: false, keepBoilerplate: false };
