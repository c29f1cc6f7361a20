import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createDeployment } from '../../test/support/deployment.js';
import { makeEpub } from '../../test/support/epub-maker.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gz-'));
const d = await createDeployment();
try {
  const file = path.join(dir, 'book.epub');
  await makeEpub(file, { chapters: 50, words: 20 });
  await d.start('api');
  await d.start('worker', { WORKER_QUEUES: 'parse,merge,finalize' });
  const { body } = await d.api.upload(file);
  await d.api.waitFor(body.id, ['GENERATING'], 120_000);
  await new Promise((r) => setTimeout(r, 2000));
  const get = async () =>
    Buffer.from(
      await (
        await globalThis.fetch(`${d.api.base}/books/${body.id}/jobs`, {
          headers: { 'accept-encoding': 'gzip' },
        })
      ).arrayBuffer(),
    );
  const { request } = await import('undici');
  const raw = async () => {
    const r = await request(`${d.api.base}/books/${body.id}/jobs`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    return { h: r.headers, b: Buffer.from(await r.body.arrayBuffer()) };
  };
  const a = await raw();
  await new Promise((r) => setTimeout(r, 1200));
  const b = await raw();
  console.log(
    a.h['content-encoding'],
    a.b.length,
    b.b.length,
    a.b.equals(b.b),
    gunzipSync(a.b).equals(gunzipSync(b.b)),
  );
  const ja = gunzipSync(a.b).toString(),
    jb = gunzipSync(b.b).toString();
  for (let i = 0; i < ja.length; i++)
    if (ja[i] !== jb[i]) {
      console.log(ja.slice(i - 100, i + 60), '\n---\n', jb.slice(i - 100, i + 60));
      break;
    }
  void get;
} finally {
  await d.stop();
}
