import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/** A tenth of a second of silence per text, each text recorded with the time it was asked for. */
function recordingEngine(spoken: { text: string; at: number }[]): TtsEngine {
  return {
    name: 'recorder',
    voices: [{ id: 'plain', language: null }],
    defaultVoice: 'plain',
    open: () => ({
      async synthesize(text) {
        spoken.push({ text, at: Date.now() });
        return { sampleRate: 16000, channels: 1, data: Buffer.alloc(3200) };
      },
      close: () => {},
    }),
  };
}

/**
 * `autostart=false`: the book stops at REVIEW once parsed, nothing is spoken until it is
 * started, and the audiobook has exactly the chapters chosen, with the titles chosen; on
 * both queue backends (the merge waits delayed, and the start wakes it).
 */
describe.each(['redis', 'postgres'] as const)(
  'reviewing a book before it is read (%s queues)',
  (backend) => {
    let t: TestApp;
    let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
    const spoken: { text: string; at: number }[] = [];
    beforeAll(async () => {
      t = await buildTestApp({ queueBackend: backend });
      workers = await startInProcessWorkers(t, recordingEngine(spoken));
    });
    afterAll(async () => {
      await workers?.stop();
      await t?.close();
    });

    const get = async (id: string) => (await t.app.inject(`/books/${id}`)).json();
    async function waitFor(id: string, statuses: string[]) {
      for (let i = 0; i < 600; i++) {
        const book = await get(id);
        if (statuses.includes(book.status)) return book;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`book ${id} did not reach ${statuses}`);
    }
    const patch = (id: string, n: number, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/books/${id}/chapters/${n}`, payload });
    const start = (id: string) => t.app.inject({ method: 'POST', url: `/books/${id}/start` });

    it('shows each chapter with its length and first words, and reads only those chosen', async () => {
      const uploaded = await injectUpload(
        t.app,
        fixture('pressbooks-metamorphosis-epub2.epub'),
        {},
        {
          autostart: 'false',
        },
      );
      const { id } = uploaded.json();
      const review = await waitFor(id, ['REVIEW', 'FAILED']);
      expect(review).toMatchObject({ status: 'REVIEW', autostart: false });
      expect(review.chapters[3]).toMatchObject({
        n: 4,
        title: 'Chapter I',
        included: true,
        status: 'PENDING',
        excerpt: expect.stringMatching(/^One morning, when Gregor Samsa woke from troubled dreams/),
      });
      expect(review.chapters[3].wordCount).toBeGreaterThan(7000);
      // 155 words a minute: about 46 minutes for its 7,120 words.
      expect(review.chapters[3].estimatedSec).toBeGreaterThan(40 * 60);
      expect(review.chapters[2]).toMatchObject({ included: false, wordCount: 0 });
      await new Promise((r) => setTimeout(r, 500));
      expect(spoken.filter((s) => s.at >= Date.parse(review.createdAt))).toEqual([]);

      expect((await patch(id, 1, { included: false })).json()).toMatchObject({ included: false });
      expect((await patch(id, 2, { included: false })).statusCode).toBe(200);
      const renamed = await patch(id, 4, { title: 'One Morning' });
      expect(renamed.json()).toMatchObject({ n: 4, title: 'One Morning', included: true });
      // Refused: a chapter with nothing to read, an empty change, a blank title, no such chapter.
      expect((await patch(id, 3, { included: true })).statusCode).toBe(409);
      expect((await patch(id, 4, {})).statusCode).toBe(400);
      expect((await patch(id, 4, { title: '   ' })).statusCode).toBe(400);
      expect((await patch(id, 99, { included: false })).statusCode).toBe(404);

      const started = await start(id);
      expect(started.statusCode).toBe(202);
      expect(started.json()).toEqual({ id, status: 'GENERATING', chapters: 3 });
      expect((await start(id)).statusCode).toBe(409);
      expect((await patch(id, 1, { included: true })).statusCode).toBe(409);

      const book = await waitFor(id, ['READY', 'FAILED']);
      expect(book.status).toBe('READY');
      expect(book.chapters.map((c: { status: string }) => c.status)).toEqual([
        'SKIPPED',
        'SKIPPED',
        'SKIPPED',
        'DONE',
        'DONE',
        'DONE',
      ]);
      const said = spoken.filter((s) => s.at >= Date.parse(review.createdAt)).map((s) => s.text);
      expect(said).toContain('One Morning');
      expect(said).not.toContain('Chapter one');
      expect(said.join(' ')).not.toMatch(/PressBooks version/);

      const file = path.join(t.dir, `review-${backend}.m4b`);
      await fs.writeFile(file, (await t.app.inject(`/books/${id}/audio`)).rawPayload);
      const probe = await ffprobe(file);
      expect(probe.chapters.map((c) => c.title)).toEqual([
        'One Morning',
        'Chapter II',
        'Chapter III',
      ]);
    });

    it('starts a book only from REVIEW, and only with a chapter to read', async () => {
      const plain = (await injectUpload(t.app, fixture('idpf-hefty-water.epub'))).json().id;
      const reviewed = (
        await injectUpload(t.app, fixture('idpf-hefty-water.epub'), {}, { autostart: 'false' })
      ).json().id;
      await waitFor(reviewed, ['REVIEW']);
      const chapters = (await get(reviewed)).chapters as { n: number }[];
      for (const c of chapters) await patch(reviewed, c.n, { included: false });
      const none = await start(reviewed);
      expect(none.statusCode).toBe(409);
      expect(none.json().message).toMatch(/no chapter .* is included/);
      expect(
        (await injectUpload(t.app, fixture('idpf-hefty-water.epub'), {}, { autostart: 'maybe' }))
          .statusCode,
      ).toBe(400);

      expect((await waitFor(plain, ['READY', 'FAILED'])).status).toBe('READY');
      const notInReview = await start(plain);
      expect(notInReview.statusCode).toBe(409);
      expect(notInReview.json().message).toMatch(
        /only while the book is in REVIEW \(it is READY\)/,
      );

      // A book cancelled in REVIEW ends there: its waiting merge is removed with its tree.
      expect((await t.app.inject({ method: 'DELETE', url: `/books/${reviewed}` })).statusCode).toBe(
        202,
      );
      expect((await get(reviewed)).status).toBe('CANCELLED');
      expect((await start(reviewed)).statusCode).toBe(409);
    });
  },
);
