import { describe, expect, it } from 'vitest';
import { acceptsGzip } from '../../src/http/status-answers.js';

describe('content negotiation for status answers', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['*', true],
    ['identity', false],
    ['gzip;q=0', false],
    ['deflate', false],
    [undefined, false],
  ])('Accept-Encoding %s → gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
