import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/** 0.3 s of silence a word, so a chapter of a few hundred words lasts a minute or so. */
const pacedSilence: TtsEngine = {
  name: 'paced silence',
  voices: [{ id: 'plain', language: null }],
  defaultVoice: 'plain',
  open: () => ({
    async synthesize(text) {
      const samples = Math.round(text.split(/\s+/).length * 0.3 * 16000);
      return { sampleRate: 16000, channels: 1, data: Buffer.alloc(samples * 2) };
    },
    close: () => {},
  }),
};

const SPLIT_HOURS = 0.035; // 126 s

/** `splitHours`: a book longer than that also comes as parts, split at chapter boundaries. */
describe('a long book in parts', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  let id: string;
  let book: {
    status: string;
    parts: number | null;
    durationSec: number;
    chapters: { title: string; status: string }[];
  };

  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, pacedSilence);
    const upload = await injectUpload(
      t.app,
      fixture('idpf-hefty-water.epub'),
      {},
      {
        splitHours: String(SPLIT_HOURS),
      },
    );
    id = upload.json().id;
    for (let i = 0; i < 600; i++) {
      book = (await t.app.inject(`/books/${id}`)).json();
      if (['READY', 'FAILED'].includes(book.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  async function saved(url: string, name: string) {
    const res = await t.app.inject(url);
    expect(res.statusCode).toBe(200);
    const file = path.join(t.dir, name);
    await fs.writeFile(file, res.rawPayload);
    return file;
  }

  it('splits at chapter boundaries, each part its own m4b with its chapters and tags', async () => {
    expect(book.status).toBe('READY');
    expect(book.durationSec).toBeGreaterThan(SPLIT_HOURS * 3600);
    const count = book.parts as number;
    expect(count).toBeGreaterThanOrEqual(2);
    const titles: string[] = [];
    let total = 0;
    for (let k = 1; k <= count; k++) {
      const probe = await ffprobe(await saved(`/books/${id}/parts/${k}/audio`, `part-${k}.m4b`));
      expect(probe.codecs).toEqual(['aac']);
      expect(probe.tags.title).toBe(`Hefty Water (Part ${k} of ${count})`);
      expect(probe.tags.track).toBe(`${k}/${count}`);
      // No part is longer than asked, unless it is one chapter.
      if (probe.chapters.length > 1)
        expect(probe.durationSec).toBeLessThanOrEqual(SPLIT_HOURS * 3600);
      titles.push(...probe.chapters.map((c) => c.title));
      total += probe.durationSec;
    }
    // Every chapter once, in order, and the parts add up to the whole.
    expect(titles).toEqual(book.chapters.filter((c) => c.status === 'DONE').map((c) => c.title));
    expect(Math.abs(total - book.durationSec)).toBeLessThan(0.5);
    expect((await t.app.inject(`/books/${id}/parts/${count + 1}/audio`)).statusCode).toBe(404);
  });

  it('serves all the parts in one zip', async () => {
    const zip = await saved(`/books/${id}/parts.zip`, 'parts.zip');
    // Sent as the API document says it is.
    const sent = (await t.app.inject(`/books/${id}/parts.zip`)).headers['content-type'];
    const doc = (await t.app.inject('/openapi.json')).json();
    const said = doc.paths['/books/{id}/parts.zip'].get.responses['200'].content;
    expect(Object.keys(said)).toEqual([sent]);
    const names = await new Promise<string[]>((resolve, reject) => {
      yauzl.open(zip, { lazyEntries: true }, (err, file) => {
        if (err || !file) return reject(err);
        const found: string[] = [];
        file.on('entry', (e: yauzl.Entry) => {
          found.push(e.fileName);
          file.readEntry();
        });
        file.on('end', () => resolve(found));
        file.readEntry();
      });
    });
    expect(names).toEqual(
      Array.from(
        { length: book.parts as number },
        (_, i) => `Hefty Water - Part ${i + 1} of ${book.parts}.m4b`,
      ),
    );
  });

  it('keeps a book that fits in one file whole, and refuses a split it cannot make', async () => {
    const whole = await injectUpload(
      t.app,
      fixture('idpf-hefty-water.epub'),
      {},
      { splitHours: '10' },
    );
    let answer = { status: '', parts: 0 as number | null };
    for (let i = 0; i < 600 && answer.status !== 'READY'; i++) {
      answer = (await t.app.inject(`/books/${whole.json().id}`)).json();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answer.parts).toBeNull();
    expect((await t.app.inject(`/books/${whole.json().id}/parts.zip`)).statusCode).toBe(404);
    const bad = await injectUpload(
      t.app,
      fixture('idpf-hefty-water.epub'),
      {},
      { splitHours: '0' },
    );
    expect(bad.statusCode).toBe(400);
  });
});
