/** An error raised by the HTTP layer itself (authentication, a malformed body), with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Headers the answer must carry (`Allow` on a 405, `Content-Range` on a 416). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
