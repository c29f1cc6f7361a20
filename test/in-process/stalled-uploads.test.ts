import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/services.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

const BODY_TIMEOUT_MS = 1500;
const BOUNDARY = 'stall';
const HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.epub"\r\n\r\n`;

/** Sends raw bytes and returns what the server answers before closing (or '' if nothing). */
function rawRequest(
  port: number,
  chunks: (string | Buffer)[],
  opts: { dropAfterMs?: number } = {},
) {
  return new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => {});
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (opts.dropAfterMs) setTimeout(() => socket.destroy(), opts.dropAfterMs);
    });
    setTimeout(() => socket.destroy(), 15_000);
  });
}

const headers = (extra: string) =>
  `POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${extra}\r\n`;

/** Spool folders the API made for uploads (under the TMPDIR this file points at its own). */
const spools = async (tmp: string) =>
  (await fs.readdir(tmp)).filter((n) => n.startsWith('bookflow-upload-'));

async function settled(tmp: string): Promise<string[]> {
  for (let i = 0; i < 50 && (await spools(tmp)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return spools(tmp);
}

describe('uploads that stop halfway', () => {
  let t: TestApp;
  let port: number;
  let tmp: string;
  const tmpBefore = process.env.TMPDIR;
  beforeAll(async () => {
    tmp = await tempDir('bookflow-spools-');
    t = await buildTestApp({ bodyTimeoutMs: BODY_TIMEOUT_MS });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as net.AddressInfo).port;
    process.env.TMPDIR = tmp; // os.tmpdir() reads it on every call
  });
  afterAll(async () => {
    // Assigning undefined would set the text "undefined".
    if (tmpBefore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpBefore;
    await t?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('a body cut short under a Content-Length ends in 408, and its spool folder is removed', async () => {
    const answer = await rawRequest(port, [
      headers('Content-Length: 100000\r\n'),
      HEAD,
      'PK'.repeat(500),
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await settled(tmp)).toEqual([]);
  });

  it('a chunked body that stops ends in 408, and its spool folder is removed', async () => {
    const chunk = `${HEAD}${'PK'.repeat(500)}`;
    const answer = await rawRequest(port, [
      headers('Transfer-Encoding: chunked\r\n'),
      `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(await settled(tmp)).toEqual([]);
  });

  it('a dropped connection leaves no spool folder', async () => {
    await rawRequest(port, [headers('Content-Length: 100000\r\n'), HEAD, 'PK'.repeat(500)], {
      dropAfterMs: 300,
    });
    expect(await settled(tmp)).toEqual([]);
  });

  it('a bad chunk size ends in 400, and leaves no spool folder', async () => {
    const chunk = `${HEAD}${'PK'.repeat(500)}`;
    const answer = await rawRequest(port, [
      headers('Transfer-Encoding: chunked\r\n'),
      `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\nzz\r\nxx\r\n`,
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(await settled(tmp)).toEqual([]);
  });

  it('the API still answers afterwards', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    expect(res.status).toBe(200);
    expect(path.isAbsolute(tmp)).toBe(true);
  });
});

describe('an upload that stops sending', () => {
  const IDLE_MS = 700;
  let t: TestApp;
  let port: number;
  let tmp: string;
  const tmpBefore = process.env.TMPDIR;
  beforeAll(async () => {
    tmp = await tempDir('bookflow-idle-spools-');
    // The whole body may take a minute; it may not go quiet for more than IDLE_MS.
    t = await buildTestApp({ bodyTimeoutMs: 60_000, bodyIdleTimeoutMs: IDLE_MS });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as net.AddressInfo).port;
    process.env.TMPDIR = tmp;
  });
  afterAll(async () => {
    // Assigning undefined would set the text "undefined".
    if (tmpBefore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpBefore;
    await t?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('is answered 408 once it has sent nothing for the idle timeout, and its spool goes', async () => {
    const started = Date.now();
    const answer = await rawRequest(port, [
      headers('Content-Length: 100000\r\n'),
      HEAD,
      'PK'.repeat(500),
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/nothing of the upload arrived for 0\.7 s/);
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 3000);
    expect(await settled(tmp)).toEqual([]);
  });
});
