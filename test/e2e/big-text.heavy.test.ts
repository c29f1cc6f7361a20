import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { writeBook } from '../support/poison-books.js';
import { freePort } from '../support/processes.js';

const CHAPTERS = 40;
const CHARS_PER_CHAPTER = 500_000; // 20 M characters in all, under MAX_TEXT_CHARS (30 M)
/** A probe's timeout, as long as Kubernetes' default one's (timeoutSeconds: 1) doubled. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * A book of 20 million characters of Japanese (no spaces: the word count's hardest case)
 * through the service while a prober asks the API's and the worker's /health four times a
 * second (a kubelet asks every 10 s; this often, a book read in 5 s still meets many). Its
 * text is read, counted and excerpted in the parse thread, so no probe may fail or wait
 * past its timeout.
 */
describe('a book of 20 million characters', () => {
  let d: Deployment;
  let workerPort: number;
  beforeAll(async () => {
    d = await createDeployment({ env: () => ({ TTS_ENGINE: 'silence' }) });
    workerPort = await freePort();
    await d.start('api');
    await d.start('worker', { WORKER_PORT: String(workerPort) });
  });
  afterAll(() => d?.stop());

  it('goes through while every health probe is answered', async () => {
    const line = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。';
    const body = `<p>${line.repeat(Math.ceil(CHARS_PER_CHAPTER / line.length))}</p>`;
    const docs = Object.fromEntries(
      Array.from({ length: CHAPTERS }, (_, i) => [
        `c${i + 1}.xhtml`,
        `<h1>第${i + 1}章</h1>${body}`,
      ]),
    );
    const file = path.join(d.dir, 'big.epub');
    await writeBook(file, { title: 'Big', docs });

    const failures: string[] = [];
    let probes = 0;
    let stop = false;
    const probe = async (url: string) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        if (res.status !== 200) failures.push(`${url}: ${res.status}`);
      } catch (err) {
        failures.push(`${url}: ${String(err)}`);
      }
      probes++;
    };
    const prober = (async () => {
      while (!stop) {
        await Promise.all([
          probe(`${d.api.base}/health`),
          probe(`http://127.0.0.1:${workerPort}/health`),
          new Promise((r) => setTimeout(r, 250)),
        ]);
      }
    })();
    try {
      const { body: book } = await d.api.upload(file);
      const end = await d.api.waitFor(book.id, ['READY', 'FAILED'], 300_000);
      expect(end.status, end.error ?? '').toBe('READY');
      expect(end.chapters).toHaveLength(CHAPTERS);
      // Two characters a word where none are spaced (the 。 are not words): as the catalogue says.
      const perLine = line.replaceAll('。', '').length / 2;
      const expected = CHAPTERS * Math.ceil(CHARS_PER_CHAPTER / line.length) * perLine;
      const words = end.chapters.reduce((s, c) => s + (c.wordCount ?? 0), 0);
      expect(words).toBeGreaterThanOrEqual(expected);
      expect(words).toBeLessThan(expected + CHAPTERS * 10); // and each heading's
    } finally {
      stop = true;
      await prober;
    }
    expect(probes).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  }, 400_000);
});
