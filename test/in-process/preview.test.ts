import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOptions, TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

interface Heard extends SessionOptions {
  text: string;
}

/** Speaks 0.35 s of silence a word at speed 1 (a narrator's pace), and remembers what it was asked. */
function pacedEngine(heard: Heard[]): TtsEngine {
  return {
    name: 'paced',
    voices: [
      { id: 'plain', language: null },
      { id: 'lola', language: 'es' },
    ],
    defaultVoice: 'plain',
    open: (opts) => ({
      async synthesize(text) {
        heard.push({ ...opts, text });
        const seconds = (text.split(/\s+/).length * 0.35) / opts.speed;
        return {
          sampleRate: 16000,
          channels: 1,
          data: Buffer.alloc(Math.round(seconds * 16000) * 2),
        };
      },
      close: () => {},
    }),
  };
}

const TOKENS = [
  { owner: 'alice', token: 'alice-token-0123456789', admin: false },
  { owner: 'bob', token: 'bob-token-0123456789ab', admin: false },
];
const auth = (i: number) => ({ authorization: `Bearer ${TOKENS[i]?.token}` });

/** POST /books/:id/chapters/:n/preview and GET /voices/:id/sample, made by a real worker. */
describe('hearing it before committing', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  const heard: Heard[] = [];
  let id: string;

  beforeAll(async () => {
    const engine = pacedEngine(heard);
    t = await buildTestApp({ tokens: TOKENS, engine });
    workers = await startInProcessWorkers(t, engine);
    const upload = await injectUpload(
      t.app,
      fixture('pressbooks-metamorphosis-epub2.epub'),
      auth(0),
      {
        autostart: 'false',
      },
    );
    id = upload.json().id;
    for (let i = 0; i < 300; i++) {
      if ((await book()).status === 'REVIEW') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  const book = async () => (await t.app.inject({ url: `/books/${id}`, headers: auth(0) })).json();
  const preview = (n: number, payload?: object, who = 0) =>
    t.app.inject({
      method: 'POST',
      url: `/books/${id}/chapters/${n}/preview`,
      headers: auth(who),
      ...(payload ? { payload } : {}),
    });
  const duration = async (body: Buffer, name: string) => {
    const file = path.join(t.dir, name);
    await fs.writeFile(file, body);
    return (await ffprobe(file)).durationSec;
  };

  it("says a chapter's opening, 10–20 s in the book's voice and speed, and changes nothing", async () => {
    const before = await book();
    const res = await preview(4);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mp4');
    const seconds = await duration(res.rawPayload, 'preview.m4a');
    expect(seconds).toBeGreaterThanOrEqual(10);
    expect(seconds).toBeLessThanOrEqual(20);
    const asked = heard.splice(0);
    expect(asked.map((h) => h.text)[0]).toBe('Chapter one');
    expect(asked[1]?.text).toMatch(/^One morning, when Gregor Samsa woke from troubled dreams/);
    expect(asked.every((h) => h.voice === 'plain' && h.speed === 1)).toBe(true);
    // The book is as it was: still in REVIEW, no chapter started.
    expect(await book()).toEqual(before);

    // The same request again is answered from the first recording.
    expect((await preview(4)).rawPayload.equals(res.rawPayload)).toBe(true);
    expect(heard).toEqual([]);
  });

  it('says it in another voice and speed when asked', async () => {
    const res = await preview(5, { voice: 'lola', speed: 1.5 });
    expect(res.statusCode).toBe(200);
    const seconds = await duration(res.rawPayload, 'faster.m4a');
    expect(seconds).toBeGreaterThanOrEqual(10);
    expect(seconds).toBeLessThanOrEqual(20);
    expect(heard.splice(0).every((h) => h.voice === 'lola' && h.speed === 1.5)).toBe(true);
  });

  it('refuses what it cannot say', async () => {
    expect((await preview(4, { voice: 'nobody' })).statusCode).toBe(400);
    expect((await preview(4, { speed: 3 })).statusCode).toBe(400);
    expect((await preview(3)).json().message).toMatch(/chapter 3 has no text to read/);
    expect((await preview(99)).statusCode).toBe(404);
    expect((await preview(4, undefined, 1)).statusCode).toBe(404); // Bob's view of Alice's book
  });

  it("says a voice's sample sentence in its own language", async () => {
    const res = await t.app.inject({ url: '/voices/lola/sample', headers: auth(1) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/mp4');
    expect(await duration(res.rawPayload, 'sample.m4a')).toBeGreaterThan(2);
    expect(heard.splice(0).map((h) => [h.text, h.language])).toEqual([
      ['Hola. Así leeré tus libros: capítulo a capítulo, al ritmo que elijas.', 'es'],
    ]);
    expect(
      (await t.app.inject({ url: '/voices/nobody/sample', headers: auth(1) })).statusCode,
    ).toBe(404);
  });

  it('lets each token ask only so many a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (await t.app.inject({ url: '/voices/plain/sample', headers: auth(0) })).statusCode,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another token still may; and the rest of the API is not held back.
    expect((await t.app.inject({ url: '/voices/plain/sample', headers: auth(1) })).statusCode).toBe(
      200,
    );
    expect((await t.app.inject({ url: `/books/${id}`, headers: auth(0) })).statusCode).toBe(200);
  });
});
