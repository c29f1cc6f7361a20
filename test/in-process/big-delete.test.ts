import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from '../../flows/index.js';
import { objectKeys } from '../../src/storage/object-keys.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import { manyChapters, writeBook } from '../support/poison-books.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/**
 * A book of 8,000 chapters deleted while they wait: every job, row and file goes, at once
 * (an 8,500-chapter book once took 133 s). No speech worker runs, so all of them wait.
 */
describe('deleting a book of 8,000 chapters', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, createSilenceEngine(), {
      queues: ['parse', 'merge', 'finalize'],
    });
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  it('removes its jobs, chapters and files in seconds', async () => {
    const file = path.join(t.dir, 'many.epub');
    await writeBook(file, manyChapters());
    const id = (await injectUpload(t.app, file)).json().id as string;
    const tts = t.queues.queue('tts');
    const waiting = async () => {
      const c = await tts.getJobCounts('prioritized', 'waiting');
      return (c.prioritized ?? 0) + (c.waiting ?? 0);
    };
    for (let i = 0; i < 240 && (await waiting()) < 8000; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect(await waiting()).toBe(8000);
    const stored = path.join(t.dir, 'objects', objectKeys.bookPrefix(id));
    await fs.access(stored); // the upload and its chapters' text are there

    const t0 = performance.now();
    const res = await t.app.inject({ method: 'DELETE', url: `/books/${id}?purge=true` });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`8,000 chapters deleted in ${seconds.toFixed(2)} s`);
    expect(res.statusCode).toBe(202);
    expect(seconds).toBeLessThan(10);
    expect(await waiting()).toBe(0);
    expect((await t.app.inject(`/books/${id}`)).statusCode).toBe(404);
    expect(await t.queues.queue('merge').getJob(jobIds.merge(id))).toBeUndefined();
    await expect(fs.access(stored)).rejects.toThrow(/ENOENT/);
  }, 180_000);
});
