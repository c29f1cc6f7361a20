import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../flows/index.js';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { makeEpub } from '../support/epub-maker.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const TOKENS = [
  { owner: 'alice', token: 'alice-token-0123456789', admin: false },
  { owner: 'bob', token: 'bob-token-0123456789ab', admin: false },
  { owner: 'ops', token: 'ops-token-0123456789ab', admin: true },
];
const auth = (owner: string) => ({
  authorization: `Bearer ${TOKENS.find((t) => t.owner === owner)?.token}`,
});

/**
 * Remembers the order in which chapters were first spoken, by their titles as said:
 * "<label> chapter <n>" with its number in words (text/speech-text.ts).
 */
function recordingEngine(order: string[]): TtsEngine {
  return {
    name: 'recorder',
    voices: [{ id: 'silence', language: null }],
    defaultVoice: 'silence',
    open: () => ({
      synthesize: async (text) => {
        const title = /(\w+) chapter (one|two|three|four)\b/.exec(text)?.[0];
        if (title && !order.includes(title)) order.push(title);
        return { sampleRate: 16000, channels: 1, data: Buffer.alloc(3200) };
      },
      close: () => {},
    }),
  };
}

/**
 * Turns on the speech queue, on both queue backends. The books are parsed and their
 * chapters queued first (no speech worker yet); then one speech worker with one slot
 * takes them, so the order it speaks them in is the order the queue gives.
 */
describe.each(['redis', 'postgres'] as const)('fair turns (%s queues)', (queueBackend) => {
  let t: TestApp;
  const order: string[] = [];
  const workers: Awaited<ReturnType<typeof startInProcessWorkers>>[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ tokens: TOKENS, queueBackend });
    const engine = recordingEngine(order);
    workers.push(
      await startInProcessWorkers(t, engine, { queues: ['parse', 'merge', 'finalize'] }),
    );
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
  });

  /** Uploads a made book and waits until all its chapter jobs are in the queue. */
  async function queued(owner: string, label: string, chapters: number, priority?: string) {
    const file = path.join(t.dir, `${label}.epub`);
    await makeEpub(file, { chapters, words: 5, label });
    const fields: Record<string, string> = priority ? { priority } : {};
    const res = await injectUpload(t.app, file, auth(owner), fields);
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id as string;
    const get = async (p: string) => (await t.app.inject({ url: p, headers: auth(owner) })).json();
    for (let i = 0; i < 200; i++) {
      // The book turns GENERATING just before its chapters are added: count the jobs.
      const merge = (await get(`/books/${id}/jobs`)).children[0];
      const added = merge.children.filter((c: { name: string }) => c.name === JOBS.generateAudio);
      if (added.length === chapters) return get(`/books/${id}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${label} was never queued`);
  }

  it('lets owners take turns, keeps each owner’s books in order, and puts priority first', async () => {
    await queued('alice', 'Aone', 4);
    await queued('alice', 'Atwo', 4);
    await queued('bob', 'Bob', 3);
    const urgent = await queued('ops', 'Ops', 2, '2');
    expect(urgent.priority).toBe(2);

    // Waiting their turn, the chapters are prioritized jobs: `queued` counts them for autoscalers.
    const metrics = (await t.app.inject({ url: '/metrics', headers: auth('ops') })).body;
    expect(metrics).toMatch(/^bookflow_jobs\{queue="tts",state="queued"\} 13$/m);
    expect(metrics).toMatch(/^bookflow_jobs\{queue="tts",state="prioritized"\} 13$/m);
    workers.push(
      await startInProcessWorkers(t, recordingEngine(order), {
        queues: ['tts'],
        ttsConcurrency: 1,
      }),
    );
    for (let i = 0; i < 300 && order.length < 13; i++) await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([
      // Priority 2 before every priority-5 book.
      'Ops chapter one',
      'Ops chapter two',
      // Bob's one book takes turns with Alice's first, though queued after both of hers.
      'Aone chapter one',
      'Bob chapter one',
      'Aone chapter two',
      'Bob chapter two',
      'Aone chapter three',
      'Bob chapter three',
      'Aone chapter four',
      // Alice's books in the order she sent them.
      'Atwo chapter one',
      'Atwo chapter two',
      'Atwo chapter three',
      'Atwo chapter four',
    ]);
  });

  it('lets owners defer their own books, and only admins go ahead of others', async () => {
    const file = path.join(t.dir, 'prio.epub');
    await makeEpub(file, { chapters: 1, words: 5, label: 'Prio' });
    const ahead = await injectUpload(t.app, file, auth('alice'), { priority: '4' });
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().message).toMatch(/priority must be a whole number from 5 to 10 \(lower/);
    const later = await injectUpload(t.app, file, auth('alice'), { priority: '9' });
    expect(later.statusCode).toBe(202);
    const book = await t.app.inject({ url: `/books/${later.json().id}`, headers: auth('alice') });
    expect(book.json().priority).toBe(9);
    expect((await injectUpload(t.app, file, auth('ops'), { priority: '11' })).statusCode).toBe(400);
  });
});
