import { describe, expect, it } from 'vitest';
import { fitted } from '../../src/errors.js';
import { diagnose } from '../../src/workers/book-reconciler.js';
import { MAX_MESSAGE_CHARS, publicMessage } from '../../src/workers/public-message.js';

describe('what a failure says to a person', () => {
  it.each([
    [
      "ENOENT: no such file or directory, open '/tmp/bookflow-Ab12/book.epub'",
      "ENOENT: no such file or directory, open '(a temporary file)'",
    ],
    ['audio books/6f1c-aa/chapters/1.m4a not found', 'audio (a stored file) not found'],
    [
      'ffmpeg failed: ffmpeg exited with code 1\n/work/data/x.png: Invalid data found',
      'ffmpeg failed: ffmpeg exited with code 1',
    ],
    [
      'request to http://127.0.0.1:8080/v1/audio/speech failed',
      'request to http://127.0.0.1:8080/v1/audio/speech failed',
    ],
    [
      'OEBPS/chapter2.xhtml is missing from the archive',
      'OEBPS/chapter2.xhtml is missing from the archive',
    ],
  ])('%s', (raw, shown) => {
    expect(publicMessage(new Error(raw))).toBe(shown);
  });

  it('names the database error, not the statement and its parameters', () => {
    const err = new Error(
      `Failed query: insert into "chapters" values ($1, $2) params: ${'x,'.repeat(100_000)}`,
      {
        cause: new Error('invalid byte sequence for encoding "UTF8": 0x00'),
      },
    );
    expect(publicMessage(err)).toBe(
      'a database write failed (invalid byte sequence for encoding "UTF8": 0x00)',
    );
  });

  it(`never runs past ${MAX_MESSAGE_CHARS} characters`, () => {
    const shown = publicMessage(new Error('word '.repeat(1000)));
    expect(shown.length).toBe(MAX_MESSAGE_CHARS);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('keeps a failure within the limit with what is said around its cause', () => {
    const cause = 'x'.repeat(600);
    const reason = fitted('The EPUB could not be read: ', cause, ' (and 2 more chapters failed)');
    expect(reason.length).toBe(MAX_MESSAGE_CHARS);
    expect(reason).toMatch(/^The EPUB could not be read: x+… \(and 2 more chapters failed\)$/);
    expect(fitted('Chapter 3 failed: ', 'engine down', '.')).toBe('Chapter 3 failed: engine down.');
    const chapter = diagnose(
      [{ state: 'waiting-children' }, { state: 'waiting-children' }, { state: 'completed' }],
      [{ n: 2, title: 'Two', state: 'failed', failedReason: cause }],
    );
    expect(chapter?.kind === 'failed' && chapter.reason.length).toBe(MAX_MESSAGE_CHARS);
  });
});
