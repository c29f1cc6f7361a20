import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from '../../flows/index.js';
import {
  createDeployment,
  type Deployment,
  syntheses,
  toneTts,
  writeTone,
} from '../support/deployment.js';
import { runningChapters, uploadMadeBook } from '../support/made-books.js';

const CHAPTERS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** DELETE /books/:id on a book mid-flight, through a real API and worker. */
describe('cancelling a book', () => {
  let d: Deployment;

  beforeAll(async () => {
    d = await createDeployment({ env: (dir) => ({ ...toneTts(dir, 1.5), TTS_CONCURRENCY: '2' }) });
    await writeTone(d.dir);
    await d.start('api');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  const upload = (label: string) => uploadMadeBook(d, label, CHAPTERS);

  it('removes waiting jobs, aborts running ones, deletes stored objects', async () => {
    const id = await upload('Cancel');
    await runningChapters(d, id);
    const { status, body } = await d.api.delete(id);
    expect(status).toBe(202);
    expect(body).toEqual({ id, status: 'CANCELLED' });

    // Within a few seconds the running chapters are aborted and everything is gone.
    await sleep(2000);
    const spoken = await syntheses(d.dir);
    const after = (await d.api.get(id)).body;
    expect(after.status).toBe('CANCELLED');
    expect(after.chapters.filter((c) => c.status !== 'CANCELLED')).toEqual([]);
    const attempts = after.chapters.map((c) => c.attempts);
    const queues = await d.queues();
    const ids: [Parameters<typeof queues.queue>[0], string][] = [
      ['finalize', jobIds.finalize(id)],
      ['merge', jobIds.merge(id)],
      ['parse', jobIds.parse(id)],
      ...Array.from({ length: CHAPTERS }, (_, i) => ['tts', jobIds.chapter(id, i + 1)] as const),
    ] as never;
    // The last aborted job removes the tree once it has stopped: on a loaded machine that
    // can take a moment longer than the two seconds above.
    const left = async () =>
      (await Promise.all(ids.map(([q, jobId]) => queues.queue(q).getJob(jobId))))
        .filter(Boolean)
        .map((j) => j?.id);
    for (let i = 0; i < 40 && (await left()).length > 0; i++) await sleep(250);
    expect(await left()).toEqual([]);
    await expect(fs.stat(path.join(d.dir, 'objects', 'books', id))).rejects.toThrow(/ENOENT/);
    // The speech requests in flight were stopped, not carried to completion.
    await sleep(2500);
    expect(await syntheses(d.dir)).toEqual(spoken);
    // Nothing of it runs or retries afterwards: the chapters' attempts stay where they were.
    expect((await d.api.get(id)).body.chapters.map((c) => c.attempts)).toEqual(attempts);
    for (const route of [`/books/${id}/audio`, `/books/${id}/chapters/1/audio`])
      expect((await d.api.raw(route)).status, route).toBe(410);
    const worker = d.processes[1];
    expect(worker?.output()).toMatch(/job aborted: its book was cancelled/);
    // The aborted chapters' scratch folders (partial audio) went with them.
    const scratch = (await fs.readdir(path.join(d.dir, 'tmp'))).filter((n) =>
      n.startsWith('bookflow-'),
    );
    expect(scratch).toEqual([]);

    // Cancelled is final: a second DELETE says the same, a retry has nothing to retry.
    expect((await d.api.delete(id)).status).toBe(202);
    expect((await d.api.post(`/books/${id}/retry`)).status).toBe(409);
  });

  it('leaves the worker ready for the next book', async () => {
    const id = await upload('After');
    expect((await d.api.waitFor(id, ['READY', 'FAILED'], 120_000)).status).toBe('READY');
  });
});
