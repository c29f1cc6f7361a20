import { fitted, MAX_MESSAGE_CHARS } from '../errors.js';

export { MAX_MESSAGE_CHARS };

/** Absolute file-system paths (`/tmp/bookflow-x/book.epub`), but not URLs or archive paths. */
const FS_PATH = /(?<![\w:/.~-])(?:[A-Za-z]:)?(?:\/[^\s'"`(),;:]+){2,}\/?/g;
/** Storage keys (see object-keys.ts): they name internals, not anything a user handles. */
const STORAGE_KEY = /\bbooks\/[A-Za-z0-9_-]+\/[^\s'"`),;]*/g;

/**
 * What a failure says to a person: the cause in a sentence, never a path, a
 * storage key, an SQL statement or a tool's raw output, and at most
 * MAX_MESSAGE_CHARS characters. Callers log the original error in full.
 */
export function publicMessage(err: Error): string {
  let message = err.message;
  // drizzle wraps a driver error as "Failed query: <SQL> params: <every value>".
  if (/^Failed query:/.test(message)) {
    const cause = err.cause instanceof Error ? err.cause.message : 'the query failed';
    message = `a database write failed (${cause})`;
  }
  // Tools print their whole stderr after the first line that says what went wrong.
  if (/^(ffmpeg|ffprobe)\b/.test(message)) message = message.split('\n')[0] ?? message;
  message = message
    .replace(FS_PATH, '(a temporary file)')
    .replace(STORAGE_KEY, '(a stored file)')
    .replace(/\s+/g, ' ')
    .trim();
  return fitted('', message);
}
