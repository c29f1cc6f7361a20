import { describe, expect, it } from 'vitest';
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
});
