/** A wait that ran out (withTimeout): told apart from the failure of what was waited for. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** `p`, or a TimeoutError once `ms` pass without it settling; the timer never outlives it. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
