/** An error raised by the HTTP layer itself (authentication, a malformed body), with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}
