import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment, FLAKY_TTS, said } from '../support/deployment.js';
import { makeEpub } from '../support/epub-maker.js';
import { fixture } from '../support/fixtures.js';

/**
 * Books whose status says "in progress" while their jobs say otherwise: the
 * reconciler (every second here, for books unchanged for two) puts them right.
 */
describe('the reconciler', () => {
  let d: Deployment;
  let sql: postgres.Sql;

  beforeAll(async () => {
    d = await createDeployment({
      env: (dir) => ({
        TTS_COMMAND: FLAKY_TTS,
        FLAKY_FAIL_MATCH: 'Death by Water',
        FLAKY_LOG: path.join(dir, 'calls.log'),
        RECONCILE_SECONDS: '1',
        RECONCILE_GRACE_SECONDS: '2',
      }),
    });
    await d.start('api');
    await d.start('worker');
    sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    await d?.stop();
  });

  const untilLogged = async (line: RegExp) => {
    for (let i = 0; i < 300 && !line.test(d.processes[1]?.output() ?? ''); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(d.processes[1]?.output()).toMatch(line);
  };

  /** What a lost write or lost queue data leaves behind: a book that says it is still working. */
  const pretendInProgress = (id: string) =>
    sql`update books set status = 'GENERATING', error = null, updated_at = now() - interval '1 hour' where id = ${id}`;

  it('re-submits the jobs of a book whose jobs are gone, without speaking its chapters again', async () => {
    const file = path.join(d.dir, 'lost.epub');
    await makeEpub(file, { chapters: 4, words: 20, label: 'Lost' });
    const { body } = await d.api.upload(file);
    expect((await d.api.waitFor(body.id, ['READY', 'FAILED'])).status).toBe('READY');
    // A READY book's jobs are trimmed from the queues: as if Redis had lost them mid-flight.
    await pretendInProgress(body.id);

    await untilLogged(new RegExp(`"resubmitted":\\["${body.id}"\\].*reconciled books`));
    // From the database: the API's status answer may still be the READY from before.
    for (let i = 0; i < 600; i++) {
      const [row] = await sql`select status from books where id = ${body.id}`;
      if (row?.status === 'READY' || row?.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [book] = await sql`select status from books where id = ${body.id}`;
    expect(book?.status).toBe('READY');
    const log = await import('node:fs/promises').then((fs) =>
      fs.readFile(path.join(d.dir, 'calls.log'), 'utf8'),
    );
    for (let n = 1; n <= 4; n++) {
      expect(log.split('\n').filter((l) => l === said(`Lost chapter ${n}`))).toHaveLength(1);
    }
  });

  it('fails a book whose chapter job failed for good, with the reason and the retry', async () => {
    const { body } = await d.api.upload(fixture('idpf-wasteland.epub'));
    const failed = await d.api.waitFor(body.id, ['READY', 'FAILED'], 60_000);
    expect(failed.status).toBe('FAILED');
    // The FAILED write lost: the book claims to be generating, its chapter job has failed.
    await pretendInProgress(body.id);

    await untilLogged(new RegExp(`"failed":\\["${body.id}"\\].*reconciled books`));
    // From the database: the API's status answer may still be the one from before.
    const [book] = await sql`select status, error from books where id = ${body.id}`;
    expect(book?.status).toBe('FAILED');
    expect(book?.error).toMatch(/^Chapter 4 \("IV\. Death by Water"\) failed: .*injected failure/);
  });
});
