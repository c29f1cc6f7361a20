/**
 * Failures the service reports to its callers, in its own words. The HTTP
 * layer maps each kind to a status in one place (src/http/error-handler.ts);
 * nothing else in src/ speaks HTTP. Messages are meant for the user.
 */
export class DomainError extends Error {}

/** The longest failure message a person is shown, whatever it is made of; logs keep it whole. */
export const MAX_MESSAGE_CHARS = 500;

/**
 * `before`, then as much of `message` as fits, then `after`: a failure as a person reads it,
 * never past MAX_MESSAGE_CHARS, what it says around the cause kept whole.
 */
export function fitted(before: string, message: string, after = ''): string {
  const room = MAX_MESSAGE_CHARS - before.length - after.length;
  const cut =
    message.length <= room ? message : `${message.slice(0, Math.max(0, room - 1)).trimEnd()}…`;
  return `${before}${cut}${after}`.slice(0, MAX_MESSAGE_CHARS);
}

/** No such thing for this caller (another owner's book is not found either). */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** The request does not fit the current state (a retry of a chapter that has not failed). */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

/** A value the caller sent cannot be used (a voice not offered, a speed out of range). */
export class InvalidInputError extends DomainError {
  override name = 'InvalidInputError';
}

/** What was asked for existed, and is gone for good (a cancelled book's audio). */
export class GoneError extends DomainError {
  override name = 'GoneError';
}

/** A request that repeats an earlier one's key but not its content (an Idempotency-Key reused). */
export class MismatchError extends DomainError {
  override name = 'MismatchError';
}

/** The upload is larger than the service takes. */
export class TooLargeError extends DomainError {
  override name = 'TooLargeError';
}

/** The upload is not a kind of file the service reads. */
export class UnsupportedFileError extends DomainError {
  override name = 'UnsupportedFileError';
}

/** A service the request needs (queue backend, database) is down; trying again later may work. */
export class UnavailableError extends DomainError {
  override name = 'UnavailableError';
}
