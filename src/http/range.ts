import type { ByteRange } from '../storage/storage.js';
import { HttpError } from './http-errors.js';

/**
 * Parses a single-range `Range: bytes=...` header against an object of `size`
 * bytes. Multi-range requests are answered with the whole object, as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, from = '', to = ''] = m;
  let start: number;
  let end: number;
  if (from === '') {
    if (to === '') return undefined;
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end)
    throw new HttpError(416, `range not satisfiable (size ${size})`, {
      'content-range': `bytes */${size}`,
    });
  return { start, end };
}
