import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import { openEventStream, type StreamEvent } from '../support/event-stream.js';
import { fixture } from '../support/fixtures.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
/** The statuses a book went through (an event may change only its title or counts). */
const statuses = (events: StreamEvent[], bookId: string) =>
  events
    .filter((e) => e.type === 'book' && e.data.bookId === bookId)
    .map((e) => e.data.status)
    .filter((s, i, all) => s !== all[i - 1]);
const LIFE = ['UPLOADED', 'PARSING', 'GENERATING', 'MERGING', 'READY'];

describe.each(['redis', 'postgres'] as const)('live events, queues on %s', (backend) => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  let base: string;
  let id: string;

  beforeAll(async () => {
    t = await buildTestApp({
      queueBackend: backend,
      tokens: [
        { owner: 'alice', token: ALICE, admin: false },
        { owner: 'bob', token: BOB, admin: false },
      ],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    workers = await startInProcessWorkers(t, createSilenceEngine());
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  it('sends every transition in order, to the owner only, and resumes without a gap', async () => {
    const mine = openEventStream(`${base}/events`, auth(ALICE));
    const theirs = openEventStream(`${base}/events`, auth(BOB));
    await Promise.all([mine, theirs].map((s) => s.waitFor((e) => e.type === 'ready')));
    id = (await injectUpload(t.app, fixture('idpf-wasteland.epub'), auth(ALICE))).json().id;
    const book = openEventStream(`${base}/books/${id}/events`, auth(ALICE));
    // Listening before the dropped stream opens, so the book's stream holds all it will hear.
    await book.waitFor((e) => e.type === 'ready');
    // Dropped once the first chapter is done, then resumed from the last id it had.
    const dropped = openEventStream(`${base}/books/${id}/events`, auth(ALICE));
    await dropped.waitFor((e) => e.type === 'chapter' && e.data.status === 'DONE');
    dropped.close();
    const lastId = dropped.events.at(-1)?.id as string;
    await mine.waitFor((e) => e.data.bookId === id && e.data.status === 'READY');
    await book.waitFor((e) => e.type === 'book' && e.data.status === 'READY');
    // The shared status answer is dropped before a stream hears of a change.
    const now = await t.app.inject({ url: `/books/${id}`, headers: auth(ALICE) });
    expect(now.json().status).toBe('READY');
    const resumed = openEventStream(`${base}/books/${id}/events`, {
      ...auth(ALICE),
      'last-event-id': lastId,
    });
    await resumed.waitFor((e) => e.type === 'book' && e.data.status === 'READY');

    expect(statuses(mine.events, id)).toEqual(LIFE);
    // The book's stream began after the upload: it sees the rest of the life, in order.
    expect(LIFE.join()).toContain(statuses(book.events, id).join());
    const progress = mine.events.filter((e) => e.type === 'progress');
    const last = progress.at(-1)?.data.progress as { done: number; total: number; failed: number };
    expect(last).toMatchObject({ done: last.total, failed: 0 });
    const chapters = book.events.filter((e) => e.type === 'chapter');
    expect(chapters.filter((e) => e.data.status === 'DONE').length).toBe(last.total);
    // Ids rise on every stream; the dropped stream and its resumption are the whole stream.
    for (const s of [mine, book, resumed]) {
      const ids = s.events.filter((e) => e.type !== 'ready').map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    const stitched = [...dropped.events, ...resumed.events].filter((e) => e.type !== 'ready');
    const from = Number(stitched[0]?.id);
    expect(stitched.map((e) => e.id)).toEqual(
      book.events.filter((e) => e.type !== 'ready' && Number(e.id) >= from).map((e) => e.id),
    );
    expect(theirs.events.filter((e) => e.type !== 'ready')).toEqual([]);
    for (const s of [mine, theirs, book, resumed]) s.close();
  });

  it("answers another owner's book stream 404, and no token 401", async () => {
    const other = await fetch(`${base}/books/${id}/events`, { headers: auth(BOB) });
    expect(other.status).toBe(404);
    expect((await fetch(`${base}/events`)).status).toBe(401);
  });
});
