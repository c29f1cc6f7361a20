import { describe, expect, it } from 'vitest';
import { predecessors } from '../../src/books/book-queries.js';
import { diagnose } from '../../src/workers/book-reconciler.js';

describe("a book's status only moves forward", () => {
  it.each([
    ['PARSING', ['UPLOADED']],
    ['REVIEW', ['UPLOADED', 'PARSING']],
    ['GENERATING', ['UPLOADED', 'PARSING', 'REVIEW']],
    ['READY', ['UPLOADED', 'PARSING', 'REVIEW', 'GENERATING', 'MERGING']],
    // FAILED from anywhere in progress, never from READY or CANCELLED (cancel sets its own status).
    ['FAILED', ['UPLOADED', 'PARSING', 'REVIEW', 'GENERATING', 'MERGING']],
  ] as const)('→ %s only from %j', (to, from) => {
    expect(predecessors(to)).toEqual(from);
  });
});

describe('what the reconciler makes of a stale book', () => {
  const live = { state: 'waiting-children' };
  it('re-submits the flow when its root job is gone', () => {
    expect(diagnose([{ state: undefined }, live, { state: 'completed' }])).toEqual({
      kind: 'gone',
      flow: true,
      chapters: [],
    });
  });

  it('fails the book with the reason of a step that failed for good', () => {
    const problem = diagnose([
      { state: 'waiting-children' },
      { state: 'waiting-children' },
      { state: 'failed', failedReason: 'no speakable text' },
    ]);
    expect(problem).toEqual({
      kind: 'failed',
      reason: 'The EPUB could not be read: no speakable text',
    });
  });

  it('names a failed chapter', () => {
    const problem = diagnose(
      [live, live, { state: 'completed' }],
      [{ n: 3, title: 'Three', state: 'failed', failedReason: 'engine down' }],
    );
    expect(problem).toMatchObject({
      kind: 'failed',
      reason: 'Chapter 3 ("Three") failed: engine down',
    });
  });

  it('re-submits only the chapters whose jobs are gone', () => {
    const chapters = [
      { n: 1, title: 'One', state: 'active' },
      { n: 2, title: 'Two', state: undefined },
      { n: 4, title: 'Four', state: undefined },
    ];
    expect(diagnose([live, live, { state: 'completed' }], chapters)).toEqual({
      kind: 'gone',
      flow: false,
      chapters: [2, 4],
    });
  });

  it('leaves a book alone whose jobs are all alive', () => {
    expect(diagnose([live, { state: 'active' }, { state: 'completed' }])).toBeUndefined();
  });
});
