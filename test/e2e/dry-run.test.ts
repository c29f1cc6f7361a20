import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import { freePort } from '../support/processes.js';

/** TTS_ENGINE=silence runs a book through every step with no synthesis: a deployment check. */
describe('the dry-run engine', () => {
  let d: Deployment;
  let workerPort: number;
  const SCRAPER = 'scraper-token-0123456789';

  beforeAll(async () => {
    d = await createDeployment({ env: () => ({ TTS_ENGINE: 'silence' }) });
    workerPort = await freePort();
    await d.start('api');
    await d.start('worker', { WORKER_PORT: String(workerPort), METRICS_TOKEN: SCRAPER });
  });

  afterAll(() => d?.stop());

  it('brings a book to READY with a short silence per chapter', async () => {
    const { body } = await d.api.upload(fixture('idpf-wasteland.epub'));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    const spoken = book.chapters.filter((c) => c.status === 'DONE');
    expect(spoken).toHaveLength(5);
    for (const c of spoken) expect(c.durationSec).toBeCloseTo(0.5, 0);
    const probe = await ffprobe(path.join(d.dir, 'objects', 'books', body.id, 'audiobook.m4b'));
    expect(probe.chapters.map((c) => c.title)).toEqual(spoken.map((c) => c.title));
  });

  it("answers probes and serves its metrics on the worker's own port", async () => {
    const at = (p: string, token?: string) =>
      fetch(`http://127.0.0.1:${workerPort}${p}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    expect(await (await at('/health')).json()).toEqual({ status: 'ok' });
    expect(await (await at('/ready')).json()).toEqual({
      status: 'ready',
      engine: { state: 'up' },
      checks: { database: 'ok', queues: 'ok', storage: 'ok', engine: 'ok' },
    });
    expect((await at('/metrics')).status).toBe(401);
    const text = await (await at('/metrics', SCRAPER)).text();
    // This worker spoke the book above: its own counts, not the API's.
    expect(text).toMatch(/^bookflow_chapter_synthesis_seconds_count [1-9]/m);
    expect(text).toMatch(/^bookflow_merge_seconds_count 1$/m);
  });
});
