/**
 * How much of a book the parser will read before it refuses it. Each limit is
 * checked while reading, so a hostile book is stopped early with a message
 * that names the limit; the parse thread's memory ceiling and deadline
 * (parse-thread-pool.ts) are the backstop for anything these miss.
 */
export interface EpubLimits {
  /** Chapters in one book (`MAX_CHAPTERS`). */
  maxChapters: number;
  /** Entries in the table of contents, at every level. */
  maxTocEntries: number;
  /** Documents in the reading order (the spine), and times one document may appear in it. */
  maxSpineItems: number;
  maxSpineRepeats: number;
  /** Characters of text in the whole book (about 500 hours of speech). */
  maxTextChars: number;
  /** Bytes of one content document, uncompressed. */
  maxDocumentBytes: number;
}

export const DEFAULT_EPUB_LIMITS: EpubLimits = {
  maxChapters: 10_000,
  maxTocEntries: 20_000,
  maxSpineItems: 10_000,
  maxSpineRepeats: 10,
  maxTextChars: 30_000_000,
  maxDocumentBytes: 32 * 1024 * 1024,
};

/** Elements nested deeper than this are refused (no real book comes near; a few dozen is a lot). */
export const MAX_ELEMENT_DEPTH = 1000;

/** A failure a user can act on: the message says what is wrong with their file. */
export class EpubError extends Error {
  override name = 'EpubError';
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** At most five names, then how many more: a message stays short however many there are. */
export const someOf = (names: string[]) =>
  names.length > 5
    ? `${names.slice(0, 5).join(', ')} and ${formatCount(names.length - 5)} more`
    : names.join(', ');
