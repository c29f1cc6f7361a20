import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_OPTIONS, JOB_QUEUE, JOBS, type JobName } from '../../flows/index.js';
import { PermanentTtsError, type TtsEngine } from '../../src/tts/tts-engine.js';
import { makeEpub } from '../support/epub-maker.js';
import { fixture } from '../support/fixtures.js';
import { writeBook } from '../support/poison-books.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/** A stand-in engine: a tenth of a second of silence per text, and a refusal for "REFUSE". */
function standInEngine(spoken: string[]): TtsEngine {
  return {
    name: 'stand-in',
    voices: [{ id: 'plain', language: null }],
    defaultVoice: 'plain',
    open: () => ({
      async synthesize(text) {
        if (text.includes('REFUSE')) throw new PermanentTtsError('the server refuses this text');
        spoken.push(text);
        return { sampleRate: 16000, channels: 1, data: Buffer.alloc(3200) };
      },
      close: () => {},
    }),
  };
}

/** Each processor's success and permanent-failure paths, on real Workers in this process. */
describe('the processors, in process', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  const spoken: string[] = [];
  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, standInEngine(spoken));
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  async function upload(file: string, fields: Record<string, string> = {}): Promise<string> {
    const res = await injectUpload(t.app, file, {}, fields);
    expect(res.statusCode).toBe(202);
    return res.json().id;
  }

  async function settled(id: string) {
    for (let i = 0; i < 600; i++) {
      const book = (await t.app.inject(`/books/${id}`)).json();
      if (['READY', 'FAILED'].includes(book.status)) return book;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`book ${id} did not settle`);
  }

  const jobs = async (id: string) => (await t.app.inject(`/books/${id}/jobs`)).json();

  it('parse, speech, merge and finalize take a book to READY', async () => {
    const id = await upload(fixture('idpf-wasteland.epub'));
    const book = await settled(id);
    expect(book.status).toBe('READY');
    const read = book.chapters.filter((c: { status: string }) => c.status === 'DONE');
    expect(read).toHaveLength(5);
    expect(read.every((c: { attempts: number }) => c.attempts === 1)).toBe(true);
    // Its heading, "I. THE BURIAL OF THE DEAD", is said in title case with its number in words.
    expect(read[0].title).toBe('I. The Burial of the Dead');
    expect(spoken).toContain('one. The Burial of the Dead');
    const audio = await t.app.inject(`/books/${id}/audio`);
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/mp4');
  });

  it('parse: a broken book fails at once, with the reason', async () => {
    const id = await upload(fixture('broken/empty-spine.epub'));
    const book = await settled(id);
    expect(book.error).toBe(
      'The EPUB could not be read: the book has no content in reading order (its spine is empty)',
    );
    const parse = (await jobs(id)).children[0].children[0];
    expect(parse).toMatchObject({ name: JOBS.parseEpub, state: 'failed', attemptsMade: 1 });
    expect(workers.log.some((l) => l.includes('book FAILED') && l.includes(id))).toBe(true);
  });

  it('speech: a text the engine refuses fails its chapter at once, and the book says which', async () => {
    const file = path.join(t.dir, 'refused.epub');
    await makeEpub(file, { chapters: 2, words: 20, label: 'REFUSE' });
    const book = await settled(await upload(file));
    expect(book.status).toBe('FAILED');
    expect(book.error).toMatch(
      /^Chapter \d \("REFUSE chapter \d"\) failed after 1 attempt: the server refuses this text( \(and 1 more chapter failed\))?$/,
    );
    const failed = book.chapters.find((c: { status: string }) => c.status === 'FAILED');
    expect(failed).toMatchObject({ attempts: 1, error: 'the server refuses this text' });
  });

  it.each(Object.values(JOBS))(
    '%s: a payload that breaks the contract fails at once',
    async (name) => {
      const queue = t.queues.queue(JOB_QUEUE[name as JobName]);
      const opts = JOB_OPTIONS[JOB_QUEUE[name as JobName]];
      const job = await queue.add(name, { bookId: 'not a book id!' }, { ...opts, attempts: 3 });
      for (let i = 0; i < 100 && (await job.getState()) !== 'failed'; i++)
        await new Promise((r) => setTimeout(r, 50));
      const failed = await queue.getJob(job.id as string);
      expect(await failed?.getState()).toBe('failed');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(/payload/);
    },
  );

  it('cancelling a failed book ends every chapter not done, and its audio is gone (410)', async () => {
    const file = path.join(t.dir, 'refused-again.epub');
    await makeEpub(file, { chapters: 3, words: 20, label: 'REFUSE' });
    const id = await upload(file);
    expect((await settled(id)).status).toBe('FAILED');
    expect((await t.app.inject({ method: 'DELETE', url: `/books/${id}` })).statusCode).toBe(202);
    const book = (await t.app.inject(`/books/${id}`)).json();
    expect(book.status).toBe('CANCELLED');
    expect(book.chapters.every((c: { status: string }) => c.status === 'CANCELLED')).toBe(true);
    for (const url of [`/books/${id}/audio`, `/books/${id}/chapters/1/audio`]) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(410);
      expect(res.json().message).toMatch(/was cancelled, and its audio deleted/);
    }
    const purged = await t.app.inject({ method: 'DELETE', url: `/books/${id}?purge=true` });
    expect(purged.json()).toEqual({ id, status: 'CANCELLED', purged: true });
    expect((await t.app.inject(`/books/${id}`)).statusCode).toBe(404);
  });

  it('parse: reads pictures’ alt text only when the upload asks (altText=true)', async () => {
    const file = path.join(t.dir, 'manga.epub');
    const panel = (words: string) => `<p><img src="p.png" alt="${words}"/></p>`;
    await writeBook(file, {
      docs: {
        'one.xhtml': panel('Where are you going, Tanaka?'),
        'two.xhtml': panel('To the sea, before the rain comes.'),
      },
    });
    const plain = await settled(await upload(file));
    expect(plain.status).toBe('FAILED');
    expect(plain.error).toMatch(/no speakable text/);

    const read = await settled(await upload(file, { altText: 'true' }));
    expect(read.status).toBe('READY');
    expect(read.readOptions).toEqual({ altText: true, boilerplate: 'skip' });
    expect(spoken).toContain('Where are you going, Tanaka?');
    expect(spoken).toContain('To the sea, before the rain comes.');
  });

  it('refuses read options it does not know', async () => {
    const file = fixture('idpf-hefty-water.epub');
    for (const [fields, message] of [
      [{ altText: 'yes' }, 'altText must be true or false'],
      [{ boilerplate: 'drop' }, 'boilerplate must be skip or keep'],
    ] as const) {
      const res = await injectUpload(t.app, file, {}, fields);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe(message);
    }
  });

  it('speech: says the book’s lexicon (the owner’s, then the upload’s) instead of the words', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/lexicon',
      payload: { entries: { april: 'Ay-pril' } },
    });
    expect(put.json()).toEqual({ entries: { april: 'Ay-pril' } });
    expect((await t.app.inject('/lexicon')).json()).toEqual({ entries: { april: 'Ay-pril' } });
    const before = spoken.length;
    const id = await upload(fixture('idpf-wasteland.epub'), { lexicon: 'cruellest = crool-est' });
    const book = await settled(id);
    await t.app.inject({ method: 'PUT', url: '/lexicon', payload: { entries: {} } });
    expect(book.status).toBe('READY');
    expect(book.lexicon).toEqual({ april: 'Ay-pril', cruellest: 'crool-est' });
    const said = spoken.slice(before).join('\n');
    expect(said).toMatch(/Ay-pril is the crool-est month/);
    expect(said).not.toMatch(/April|cruellest/);
  });

  it('refuses a lexicon it cannot read, saying where', async () => {
    const res = await injectUpload(
      t.app,
      fixture('idpf-hefty-water.epub'),
      {},
      { lexicon: 'oops' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('lexicon line 1: write it as word = replacement');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/lexicon',
      payload: { entries: { '??': 'x' } },
    });
    expect(put.statusCode).toBe(400);
  });
});
