import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const RATE = 16000;

/** Each chapter's first request is answered at once; the rest wait until the gate opens. */
function gatedEngine(): { engine: TtsEngine; open(): void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const engine: TtsEngine = {
    name: 'gated',
    voices: [{ id: 'silence', language: null }],
    defaultVoice: 'silence',
    open: () => {
      let calls = 0;
      return {
        synthesize: async () => {
          if (calls++ > 0) await gate;
          return { sampleRate: RATE, channels: 1, data: Buffer.alloc(RATE / 5) };
        },
        close: () => {},
      };
    },
  };
  return { engine, open: release };
}

type ChapterSeen = { n: number; status: string; percentDone?: number };

/** A RUNNING chapter tells how far it is (its job's progress), in GET /books/:id. */
describe.each(['redis', 'postgres'] as const)(
  "a running chapter's progress (%s queues)",
  (backend) => {
    let t: TestApp;
    let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
    const gated = gatedEngine();
    beforeAll(async () => {
      t = await buildTestApp({ queueBackend: backend });
      workers = await startInProcessWorkers(t, gated.engine, { ttsConcurrency: 2 });
    });
    afterAll(async () => {
      gated.open();
      await workers?.stop();
      await t?.close();
    });

    const book = async (id: string) => (await t.app.inject(`/books/${id}`)).json();

    it('is shown while it reads, and gone once it is done', async () => {
      const id = (await injectUpload(t.app, fixture('idpf-wasteland.epub'))).json().id;
      let partly: ChapterSeen | undefined;
      for (let i = 0; i < 200 && !partly; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const chapters: ChapterSeen[] = (await book(id)).chapters;
        partly = chapters.find((c) => c.status === 'RUNNING' && (c.percentDone ?? 0) > 0);
      }
      // One request of several read: more than none, less than all.
      expect(partly?.percentDone).toBeGreaterThan(0);
      expect(partly?.percentDone).toBeLessThan(100);
      gated.open();
      let seen = await book(id);
      for (let i = 0; i < 300 && seen.status !== 'READY'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await book(id);
      }
      expect(seen.status).toBe('READY');
      expect(seen.chapters.filter((c: ChapterSeen) => 'percentDone' in c)).toEqual([]);
    });
  },
);
