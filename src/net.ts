import net from 'node:net';

/** A TCP port on the loopback interface that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Rejects with EADDRINUSE when something already listens on `port` (a start checks it
 * before it opens anything: a busy port found after a PostgreSQL was initialised cost 27 s).
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Why a fetch failed, in words a person can act on (fetch itself says only "fetch failed"):
 * connection refused, no such host, TLS, no answer in time.
 */
export function whyUnreachable(err: Error): string {
  if (err.name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const said: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'no such host (DNS)',
    EAI_AGAIN: 'the host name could not be looked up (DNS)',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    EHOSTUNREACH: 'no route to the host',
  };
  if (said[code]) return said[code];
  if (/CERT|TLS|SSL/i.test(`${code} ${cause?.message ?? ''}`))
    return `TLS: ${cause?.message ?? code}`;
  return cause?.message ?? err.message;
}
