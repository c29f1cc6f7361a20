import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDeployment, type Deployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';

const BOOK_MB = 200;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * A 200 MB EPUB uploaded while the API's memory is sampled: the upload is
 * spooled to disk, so resident memory should barely move (target: ≤ 40 MB of
 * growth). Then the same file against a 100 MB limit: refused before it is read.
 */
export async function benchUploadMemory(): Promise<Record<string, number | string>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-bench-upload-'));
  const file = path.join(dir, 'big.epub');
  await makeEpub(file, { chapters: 3, words: 50, paddingBytes: BOOK_MB * 1024 * 1024 });
  try {
    const growth = await withApi(String(BOOK_MB + 50), async (d, pid) => {
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(pid));
      }, 20);
      const t0 = performance.now();
      const res = await d.api.upload(file);
      clearInterval(sampler);
      if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
      return { seconds: (performance.now() - t0) / 1000, before, peak };
    });
    const refused = await withApi('100', async (d) => {
      const t0 = performance.now();
      const res = await d.api.upload(file).catch((err: Error) => ({ status: err.message }));
      return { status: res.status, ms: performance.now() - t0 };
    });
    return {
      uploadMb: BOOK_MB,
      uploadSeconds: round(growth.seconds),
      rssBeforeMb: round(growth.before),
      rssPeakMb: round(growth.peak),
      rssGrowthMb: round(growth.peak - growth.before),
      targetGrowthMb: 40,
      oversizedStatus: refused.status,
      oversizedAnsweredMs: round(refused.ms),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function withApi<T>(
  maxUploadMb: string,
  fn: (d: Deployment, pid: number) => Promise<T>,
): Promise<T> {
  const d = await createDeployment();
  try {
    const api = await d.start('api', { MAX_UPLOAD_MB: maxUploadMb });
    await new Promise((r) => setTimeout(r, 1000)); // let start-up allocations settle
    return await fn(d, api.child.pid as number);
  } finally {
    await d.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
