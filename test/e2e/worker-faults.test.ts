import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from '../../flows/index.js';
import {
  createDeployment,
  type Deployment,
  said,
  syntheses,
  toneTts,
  writeTone,
} from '../support/deployment.js';
import { runningChapters, uploadMadeBook } from '../support/made-books.js';
import { exited } from '../support/processes.js';

const CHAPTERS = 6;

/**
 * Workers that die or are stopped mid-chapter, as real processes. Each speech
 * request takes a second or more, so a chapter is caught in the middle.
 * Lock and stall settings are the defaults (15 s lock for speech, 5 s checks).
 */
describe('a worker killed or stopped mid-chapter', () => {
  let d: Deployment;

  beforeAll(async () => {
    d = await createDeployment({ env: (dir) => ({ ...toneTts(dir, 1.5), TTS_CONCURRENCY: '2' }) });
    await writeTone(d.dir);
    await d.start('api');
  });

  afterAll(() => d?.stop());

  const upload = (label: string) => uploadMadeBook(d, label, CHAPTERS);

  /** Status answers may be about a second old: wait that out once nothing changes any more. */
  const settled = () => new Promise((r) => setTimeout(r, 1500));

  /** Titles are spoken on their own: one completed synthesis per chapter title. */
  const titleCounts = async (label: string) => {
    const done = await syntheses(d.dir);
    return Array.from(
      { length: CHAPTERS },
      (_, i) => done.get(said(`${label} chapter ${i + 1}`)) ?? 0,
    );
  };

  it('SIGKILL: the chapter is taken up again within seconds, and no chapter is made twice', async () => {
    const first = await d.start('worker');
    const id = await upload('Kill');
    const running = await runningChapters(d, id);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    const second = await d.start('worker');

    // Recovery: the killed chapters start again once their locks lapse (≤ 15 s + a 5 s check).
    let restartedAfterMs = 0;
    for (;;) {
      const { body } = await d.api.get(id);
      const again = body.chapters.filter((c) => running.includes(c.n) && c.attempts > 1);
      if (again.length === running.length) {
        restartedAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(restartedAfterMs).toBeLessThan(30_000);

    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    expect(book.status).toBe('READY');
    expect(book.chapters.every((c) => c.status === 'DONE' && c.error === null)).toBe(true);
    expect(await titleCounts('Kill')).toEqual(Array(CHAPTERS).fill(1));
    // Only the chapters that were running when the worker died were started twice.
    const twice = book.chapters.filter((c) => c.attempts === 2).map((c) => c.n);
    expect(twice).toEqual(running);
    await second.stop();
  });

  it('SIGTERM: the worker finishes its chapters within SHUTDOWN_TIMEOUT, then exits', async () => {
    const worker = await d.start('worker', { SHUTDOWN_TIMEOUT: '30' });
    const id = await upload('Stop');
    const running = await runningChapters(d, id);
    worker.child.kill('SIGTERM');
    expect(await exited(worker, 25_000)).toBe(0);
    await settled();
    const after = (await d.api.get(id)).body;
    // What it had started, it finished; it took nothing new and failed nothing.
    for (const n of running) expect(after.chapters[n - 1]?.status).toBe('DONE');
    expect(after.chapters.filter((c) => c.status === 'DONE')).toHaveLength(running.length);
    expect(after.chapters.some((c) => c.status === 'FAILED')).toBe(false);
    expect(after.status).toBe('GENERATING');

    const next = await d.start('worker');
    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    expect(book.status).toBe('READY');
    expect(book.chapters.every((c) => c.attempts === 1)).toBe(true);
    expect(await titleCounts('Stop')).toEqual(Array(CHAPTERS).fill(1));
    await next.stop();
  });

  it('SIGTERM past the deadline: unfinished chapters are handed back, not failed', async () => {
    // 6 s to stop, 5 of them kept for closing connections: a 1 s grace for jobs of 8 s.
    const worker = await d.start('worker', { SHUTDOWN_TIMEOUT: '6', TONE_DELAY: '4' });
    const id = await upload('Late');
    const running = await runningChapters(d, id);
    worker.child.kill('SIGTERM');
    expect(await exited(worker, 10_000)).toBe(0);

    const queues = await d.queues();
    const states = await Promise.all(
      running.map(async (n) =>
        (await queues.queue('tts').getJob(jobIds.chapter(id, n)))?.getState(),
      ),
    );
    expect(states.filter((s) => s !== 'waiting' && s !== 'delayed')).toEqual([]);
    await settled();
    const after = (await d.api.get(id)).body;
    expect(after.status).toBe('GENERATING');
    expect(after.chapters.some((c) => c.status === 'FAILED' || c.error)).toBe(false);

    // Taken up at once by the next worker: no lock to wait out.
    const next = Date.now();
    await d.start('worker', { TONE_DELAY: '0' });
    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 60_000);
    expect(book.status).toBe('READY');
    expect(Date.now() - next).toBeLessThan(15_000);
    const jobs = (await d.api.jobs(id)).body;
    expect(jobs.children[0]?.children.every((c) => c.failedReason === null)).toBe(true);
  });
});
