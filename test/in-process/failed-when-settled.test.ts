import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentTtsError, type TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const RATE = 16000;

/** Chapter 2's title is refused for good at once; chapter 3's takes a while to speak. */
const engine: TtsEngine = {
  name: 'refuses one chapter, slow on another',
  voices: [{ id: 'silence', language: null }],
  defaultVoice: 'silence',
  open: () => ({
    synthesize: async (text) => {
      if (/game of chess/i.test(text)) throw new PermanentTtsError('the engine refuses this text');
      if (/fire sermon/i.test(text)) await new Promise((r) => setTimeout(r, 4000));
      return { sampleRate: RATE, channels: 1, data: Buffer.alloc(RATE / 5) };
    },
    close: () => {},
  }),
};

/** A book is FAILED only once nothing of it still runs; until then it counts its failed chapters. */
describe('a failed chapter while others still run', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, engine);
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  const book = async (id: string) => (await t.app.inject(`/books/${id}`)).json();

  it('keeps the book GENERATING with a failed count, then FAILED naming the chapter', async () => {
    const id = (await injectUpload(t.app, fixture('idpf-wasteland.epub'))).json().id;
    let seen = await book(id);
    for (let i = 0; i < 100 && seen.chapters[1]?.status !== 'FAILED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await book(id);
    }
    expect(seen.chapters[1]).toMatchObject({ n: 2, status: 'FAILED', attempts: 1 });
    expect(seen.chapters[2]?.status).toBe('RUNNING');
    expect(seen.status).toBe('GENERATING');
    expect(seen.progress.failed).toBe(1);

    for (let i = 0; i < 150 && seen.status === 'GENERATING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await book(id);
    }
    expect(seen.status).toBe('FAILED');
    expect(seen.chapters[2]?.status).toBe('DONE');
    // The failure as data: the API says where to retry it, beside the reason.
    expect(seen.error).toBe(
      'Chapter 2 ("II. A Game of Chess") failed after 1 attempt: the engine refuses this text',
    );
    expect(seen.retry).toBe(`/books/${id}/retry`);
  });
});
