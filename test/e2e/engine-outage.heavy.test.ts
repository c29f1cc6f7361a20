import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment, said } from '../support/deployment.js';
import { uploadMadeBook } from '../support/made-books.js';
import { type SpeechServer, startSpeechServer } from '../support/speech-server.js';

const CHAPTERS = 16;

interface Readiness {
  status: string;
  engine: { state: string; since?: string };
  checks: Record<string, string>;
}

/**
 * The speech server down for everyone in the middle of a book (real processes, a real
 * HTTP speech server that stops listening): chapters wait instead of spending their
 * attempts, /ready says since when, and the book finishes soon after the server is back.
 * Today's attempts and backoff (3 tries, 1 s and 2 s apart) would fail every chapter
 * within seconds of a refused connection, so both outages are far longer than that.
 */
describe.each([
  { queues: 'redis', outageMs: 90_000 },
  { queues: 'postgres', outageMs: 30_000 },
])('the speech server down for $outageMs ms ($queues queues)', ({ queues, outageMs }) => {
  let d: Deployment;
  let speech: SpeechServer;

  beforeAll(async () => {
    speech = await startSpeechServer({ latencyMs: 400 });
    d = await createDeployment({
      redis: queues === 'redis',
      env: () => ({
        TTS_ENGINE: 'openai',
        TTS_BASE_URL: speech.url,
        TTS_VOICES: 'alloy',
        TTS_TIMEOUT: '5',
        TTS_CONCURRENCY: '2',
      }),
    });
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
  });

  afterAll(async () => {
    await d?.stop();
    await speech?.close();
  });

  const readiness = async () => (await (await d.api.raw('/ready')).json()) as Readiness;

  it('a chapter the server fails alone (others spoken) still fails on its own', async () => {
    speech.behave = (r) =>
      r.body.input.includes(said('Lone chapter 2'))
        ? { status: 503, body: { error: 'no' } }
        : 'audio';
    const id = await uploadMadeBook(d, 'Lone', 3);
    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    speech.behave = () => 'audio';
    expect(book.status).toBe('FAILED');
    expect(book.chapters.map((c) => c.status)).toEqual(['DONE', 'FAILED', 'DONE']);
    expect(book.chapters[1]).toMatchObject({ attempts: 3 });
    expect((await readiness()).engine).toEqual({ state: 'up' });
  });

  it('holds every chapter unfailed, says so on /ready, and finishes soon after', async () => {
    const id = await uploadMadeBook(d, 'Outage', CHAPTERS);
    for (;;) {
      const { body } = await d.api.get(id);
      if (body.chapters.some((c) => c.status === 'DONE')) break;
      await sleep(100);
    }
    await speech.down();
    const downAt = Date.now();

    await sleep(Math.min(20_000, outageMs / 2));
    const during = await readiness();
    expect(during).toMatchObject({ status: 'degraded', engine: { state: 'down' } });
    const since = Date.parse(during.engine.since ?? '');
    expect(since).toBeGreaterThanOrEqual(downAt - 1000);
    expect(since).toBeLessThan(downAt + 15_000);
    expect(during.checks.engine).toMatch(/^down since .*: the speech server is unreachable/);
    const { body: waiting } = await d.api.get(id);
    expect(waiting.status).toBe('GENERATING');
    expect(waiting.chapters.filter((c) => c.status === 'FAILED')).toEqual([]);
    const logs = d.processes.map((p) => p.output()).join('\n');
    expect(logs).toMatch(/speech engine down: chapters wait/);

    await sleep(downAt + outageMs - Date.now());
    await speech.up();
    const upAt = Date.now();
    const book = await d.api.waitFor(id, ['READY', 'FAILED'], 120_000);
    const readyAfterMs = Date.now() - upAt; // an upper bound: waitFor polls every 250 ms
    expect(book.status).toBe('READY');
    // Every chapter spoken once: the outage spent no attempt.
    expect(book.chapters.map((c) => [c.status, c.attempts])).toEqual(
      Array.from({ length: CHAPTERS }, () => ['DONE', 1]),
    );
    // Up to 2 s for the hold to lapse, then what was left of the book (0.4 s a request).
    expect(readyAfterMs).toBeLessThan(10_000);
    expect(await readiness()).toMatchObject({ status: 'ready', engine: { state: 'up' } });
    expect(logs + d.processes.map((p) => p.output()).join('\n')).toMatch(
      /speech engine answers again after \d+ s/,
    );
  });
});
