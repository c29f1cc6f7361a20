import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobNodeBody } from '../support/api-client.js';
import { createDeployment, type Deployment, FLAKY_TTS } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';

/**
 * A chapter whose synthesis fails on every attempt holds its book, visibly;
 * retrying it finishes the book without synthesizing the other chapters again.
 * The speech engine (outside our system) is a script that fails on demand.
 */
describe('retrying one failed chapter', () => {
  let d: Deployment;
  let api: Deployment['api'];
  let dir: string;

  beforeAll(async () => {
    d = await createDeployment({
      env: (dir) => ({
        TTS_COMMAND: FLAKY_TTS,
        FLAKY_FAIL_MATCH: 'The Source',
        FLAKY_ALLOW: path.join(dir, 'allow'),
        FLAKY_LOG: path.join(dir, 'calls.log'),
      }),
    });
    ({ api, dir } = d);
    await d.start('api');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  const callsPerChapter = async (titles: string[]) => {
    const log = await fs.readFile(path.join(dir, 'calls.log'), 'utf8').catch(() => '');
    const lines = log.split('\n').filter(Boolean);
    // Every chapter's first request is its title alone.
    return titles.map((t) => lines.filter((l) => l === t).length);
  };

  it('holds the book with the chapter FAILED, then finishes it after a retry', async () => {
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const failed = await api.waitFor(body.id, ['FAILED', 'READY']);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(
      /Chapter 2 \("The Source"\) failed after 3 attempts: .*injected failure/,
    );
    // The failure as data: where to retry it is the API's `retry`, not part of the reason.
    expect(failed.retry).toBe(`/books/${body.id}/retry`);
    const [one, two, three] = failed.chapters;
    expect(two).toMatchObject({ n: 2, status: 'FAILED', attempts: 3 });
    expect(two?.error).toMatch(/injected failure/);
    expect([one?.status, three?.status]).toEqual(['DONE', 'DONE']);

    // The job tree shows the same: the chapter job failed, the orchestrator waits on it.
    const tree = (await api.jobs(body.id)).body;
    const merge = tree.children[0] as JobNodeBody;
    expect(tree.state).toBe('waiting-children');
    expect(merge.state).toBe('waiting-children');
    const chapter2 = merge.children.find((c) => c.id === `${body.id}-ch-2`);
    expect(chapter2).toMatchObject({ state: 'failed', attemptsMade: 3 });
    expect(chapter2?.failedReason).toMatch(/injected failure/);

    const titles = failed.chapters.map((c) => c.title);
    expect(await callsPerChapter(titles)).toEqual([1, 0, 1]);

    await fs.writeFile(path.join(dir, 'allow'), '');
    const retry = await api.post(`/books/${body.id}/chapters/2/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ retried: [`${body.id}-ch-2`] });

    const ready = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(ready.status).toBe('READY');
    expect(ready.error).toBeNull();
    expect(ready.chapters.map((c) => [c.status, c.attempts])).toEqual([
      ['DONE', 1],
      ['DONE', 4],
      ['DONE', 1],
    ]);
    // Chapters 1 and 3 were synthesized once, before the failure, and never again.
    expect(await callsPerChapter(titles)).toEqual([1, 1, 1]);
  });

  it('retries every failed step of a book with POST /books/:id/retry', async () => {
    await fs.rm(path.join(dir, 'allow'), { force: true });
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    expect((await api.waitFor(body.id, ['FAILED', 'READY'])).status).toBe('FAILED');
    await fs.writeFile(path.join(dir, 'allow'), '');
    const retry = await api.post(`/books/${body.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ retried: [`${body.id}-ch-2`] });
    expect((await api.waitFor(body.id, ['READY', 'FAILED'])).status).toBe('READY');
    expect((await api.post(`/books/${body.id}/retry`)).status).toBe(409);
  });
});
