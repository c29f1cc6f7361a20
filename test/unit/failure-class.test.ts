import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { AbsUnreachableError } from '../../src/delivery/audiobookshelf.js';
import { EpubError } from '../../src/epub/epub-limits.js';
import { TransientTtsError } from '../../src/tts/openai-engine.js';
import { EngineUnavailableError, PermanentTtsError } from '../../src/tts/tts-engine.js';
import { failureClass } from '../../src/workers/failure-class.js';

describe('the class of a failure, for the failures metric', () => {
  it.each([
    [new EpubError('the book has no speakable text'), 'input'],
    [new UnrecoverableError('invalid parse-epub payload: /bookId'), 'input'],
    [new PermanentTtsError('the speech server refused the request (400)'), 'engine'],
    [new TransientTtsError('the speech server answered 500: oops'), 'engine'],
    [new EngineUnavailableError('the speech server is unreachable: ECONNREFUSED'), 'engine'],
    [new Error('speech command failed (exit 1): boom'), 'engine'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'database'],
    [new Error('Failed query: insert into "chapters"'), 'database'],
    [
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
      'storage',
    ],
    [new Error('ENOSPC: no space left on device'), 'storage'],
    [
      new AbsUnreachableError('cannot reach Audiobookshelf at http://abs: connection refused'),
      'delivery',
    ],
    [new Error('Audiobookshelf answered the upload with 503: Service Unavailable'), 'delivery'],
    [new Error('something else'), 'other'],
  ] as const)('%s → %s', (err, cls) => {
    expect(failureClass(err)).toBe(cls);
  });
});
