import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbsTarget } from '../../src/delivery/audiobookshelf.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import { type AbsStandIn, startAbsServer } from '../support/abs-server.js';
import { fixture } from '../support/fixtures.js';
import { writeBook } from '../support/poison-books.js';
import { ffprobe } from '../support/probe.js';
import { tempDir } from '../support/services.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';
import { createTestEngine } from '../support/test-engine.js';

type Book = {
  status: string;
  deliveries: { state: string; attempts: number; error: string | null; location: string | null }[];
};

async function until(t: TestApp, id: string, done: (book: Book) => boolean): Promise<Book> {
  for (let i = 0; i < 600; i++) {
    const book = (await t.app.inject(`/books/${id}`)).json() as Book;
    if (done(book)) return book;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`book ${id} did not get there`);
}
const delivered = (b: Book) => ['DONE', 'FAILED'].includes(b.deliveries[0]?.state ?? '');

/** READY books pushed to Audiobookshelf: a stand-in over real HTTP, and a watched library folder. */
describe('delivering to Audiobookshelf', () => {
  let abs: AbsStandIn;
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;

  beforeAll(async () => {
    abs = await startAbsServer({
      uploader: { canUpload: true, canDelete: true },
      listener: { canUpload: false },
    });
    t = await buildTestApp({ deliveryTargets: ['abs'] });
    const { url, library, folder } = abs;
    workers = await startInProcessWorkers(t, createTestEngine(), {
      delivery: { kind: 'api', url, token: 'uploader', library, folder },
    });
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
    await abs?.close();
  });

  it('says where books can be sent, so the web page offers it', async () => {
    const session = await t.app.inject({ method: 'GET', url: '/session' });
    expect(session.json().deliveryTargets).toEqual(['abs']);
  });

  it('pushes a book uploaded with deliver=abs once READY: the m4b, its cover and metadata.json', async () => {
    const { id } = (
      await injectUpload(t.app, fixture('idpf-wasteland.epub'), {}, { deliver: 'abs' })
    ).json();
    const book = await until(t, id, delivered);
    expect(book.status).toBe('READY');
    expect(book.deliveries).toEqual([
      expect.objectContaining({ target: 'abs', state: 'DONE', attempts: 1, error: null }),
    ]);
    const [upload] = abs.uploads;
    expect(upload?.fields).toMatchObject({
      title: 'The Waste Land',
      author: 'T.S. Eliot',
      library: abs.library,
      folder: abs.folder,
    });
    expect(upload?.dir).toBe(path.join(abs.root, 'T.S. Eliot', 'The Waste Land'));
    expect((await fs.readdir(upload?.dir as string)).sort()).toEqual([
      'The Waste Land.m4b',
      'cover.jpg',
      'metadata.json',
    ]);
    const metadata = JSON.parse(
      await fs.readFile(path.join(upload?.dir as string, 'metadata.json'), 'utf8'),
    );
    const probe = await ffprobe(path.join(upload?.dir as string, 'The Waste Land.m4b'));
    expect(metadata).toMatchObject({ title: 'The Waste Land', authors: ['T.S. Eliot'] });
    expect(metadata.narrators[0]).toMatch(/voice/);
    expect(metadata.chapters.map((c: { title: string }) => c.title)).toEqual(
      probe.chapters.map((c) => c.title),
    );
    for (const [i, c] of metadata.chapters.entries())
      expect(Math.abs(c.start - (probe.chapters[i]?.start ?? -1))).toBeLessThan(0.01);
  });

  it('retries a server that is away, with backoff, and never fails the book', async () => {
    await fs.rm(path.join(abs.root, 'T.S. Eliot'), { recursive: true, force: true });
    const { id } = (await injectUpload(t.app, fixture('idpf-wasteland.epub'))).json();
    await until(t, id, (b) => b.status === 'READY');
    abs.failNext = 2;
    const res = await t.app.inject({ method: 'POST', url: `/books/${id}/deliveries` });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ target: 'abs', state: 'PENDING' });
    const waiting = await until(t, id, (b) => b.deliveries[0]?.error != null);
    expect(waiting).toMatchObject({ status: 'READY' });
    expect(waiting.deliveries[0]?.error).toMatch(/Audiobookshelf answered the upload with 503/);
    const book = await until(t, id, delivered);
    expect(book).toMatchObject({
      status: 'READY',
      deliveries: [{ state: 'DONE', attempts: 3, error: null }],
    });
  });

  it('replaces an earlier push: the same book again as mp3 leaves one audio file, not two', async () => {
    abs.failNext = 0;
    const { id } = (
      await injectUpload(
        t.app,
        fixture('idpf-wasteland.epub'),
        {},
        { deliver: 'abs', format: 'mp3' },
      )
    ).json();
    const book = await until(t, id, delivered);
    expect(book.deliveries[0]).toMatchObject({ state: 'DONE' });
    const item = path.join(abs.root, 'T.S. Eliot', 'The Waste Land');
    const audio = (await fs.readdir(item)).filter((f) => /\.(m4b|mp3)$/.test(f));
    expect(audio).toEqual(['The Waste Land.mp3']);
    expect(abs.deleted).toEqual([path.join(item, 'The Waste Land.m4b')]);
  });

  it('refuses what it cannot do, and says why', async () => {
    const { id } = (await injectUpload(t.app, fixture('idpf-hefty-water.epub'))).json();
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/books/${id}/deliveries`,
          payload: { target: 'kindle' },
        })
      ).statusCode,
    ).toBe(400);
    await until(t, id, (b) => b.status === 'READY');
    const other = await buildTestApp();
    try {
      const none = await injectUpload(
        other.app,
        fixture('idpf-hefty-water.epub'),
        {},
        { deliver: 'abs' },
      );
      expect(none.statusCode).toBe(400);
      expect(none.json().message).toMatch(/deliver=abs needs an Audiobookshelf/);
      // Its document offers neither, nor (open, no tokens) a bearer token and its 401.
      const doc = (await other.app.inject('/openapi.json')).json();
      expect(doc.paths['/books/{id}/deliveries']).toBeUndefined();
      expect(
        doc.paths['/books'].post.requestBody.content['multipart/form-data'].schema.properties,
      ).not.toHaveProperty('deliver');
      expect(doc.security).toBeUndefined();
      expect(doc.paths['/books/{id}'].get.responses).not.toHaveProperty('401');
    } finally {
      await other.close();
    }
  });
});

describe('delivering to Audiobookshelf without upload permission, and into a watched folder', () => {
  let abs: AbsStandIn;
  let library: string;
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>[] = [];

  beforeAll(async () => {
    abs = await startAbsServer({ listener: { canUpload: false } });
    library = await tempDir();
    t = await buildTestApp({ deliveryTargets: ['abs'] });
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await t?.close();
    await abs?.close();
    await fs.rm(library, { recursive: true, force: true });
  });

  it('fails the push at once on a 403, with the reason, and leaves the book READY', async () => {
    const { url, folder } = abs;
    workers = [
      await startInProcessWorkers(t, createSilenceEngine(), {
        delivery: { kind: 'api', url, token: 'listener', library: abs.library, folder },
      }),
    ];
    const { id } = (
      await injectUpload(t.app, fixture('idpf-hefty-water.epub'), {}, { deliver: 'abs' })
    ).json();
    const book = await until(t, id, delivered);
    expect(book).toMatchObject({ status: 'READY', deliveries: [{ state: 'FAILED', attempts: 1 }] });
    expect(book.deliveries[0]?.error).toBe('Audiobookshelf refused the upload (403): Forbidden');
    for (const w of workers) await w.stop();
    workers = [];
  });

  it('writes the same layout into ABS_LIBRARY_DIR', async () => {
    workers = [
      await startInProcessWorkers(t, createSilenceEngine(), {
        delivery: { kind: 'dir', dir: library },
      }),
    ];
    const { id } = (
      await injectUpload(t.app, fixture('idpf-wasteland.epub'), {}, { deliver: 'abs' })
    ).json();
    const book = await until(t, id, delivered);
    const item = path.join(library, 'T.S. Eliot', 'The Waste Land');
    expect(book.deliveries[0]).toMatchObject({ state: 'DONE', location: item });
    expect((await fs.readdir(item)).sort()).toEqual([
      'The Waste Land.m4b',
      'cover.jpg',
      'metadata.json',
    ]);
  });
});

describe('names as Audiobookshelf 2.36 writes them, and a server that cannot be reached', () => {
  let abs: AbsStandIn;
  let library: string;
  let t: TestApp;
  let file: string;

  beforeAll(async () => {
    abs = await startAbsServer({ uploader: { canUpload: true, canDelete: true } });
    library = await tempDir();
    t = await buildTestApp({ deliveryTargets: ['abs'] });
    file = path.join(t.dir, 'colon.epub');
    await writeBook(file, {
      title: 'Dr. Jekyll: A Strange Case.',
      author: 'R. L. S.',
      docs: { 'c1.xhtml': '<p>It was a fine, dry night.</p>' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await abs?.close();
    await fs.rm(library, { recursive: true, force: true });
  });

  /** The book pushed by workers delivering to `delivery`, and where it went. */
  async function push(delivery: AbsTarget) {
    const workers = await startInProcessWorkers(t, createSilenceEngine(), { delivery });
    try {
      const { id } = (await injectUpload(t.app, file, {}, { deliver: 'abs' })).json();
      return await until(t, id, (b) => delivered(b) || b.deliveries[0]?.error != null);
    } finally {
      await workers.stop();
    }
  }

  it('puts a title with ":" and a trailing "." where Audiobookshelf does, the same both ways', async () => {
    const { url, folder } = abs;
    const uploaded = await push({
      kind: 'api',
      url,
      token: 'uploader',
      library: abs.library,
      folder,
    });
    expect(uploaded.deliveries[0]?.state).toBe('DONE');
    const dir = abs.uploads.at(-1)?.dir as string;
    // Audiobookshelf's own folder for it: "R. L. S/Dr. Jekyll - A Strange Case".
    expect(path.relative(abs.root, dir)).toBe(path.join('R. L. S', 'Dr. Jekyll - A Strange Case'));
    expect(uploaded.deliveries[0]?.location).toContain('R. L. S/Dr. Jekyll - A Strange Case');
    expect(await fs.readdir(dir)).toContain('Dr. Jekyll - A Strange Case.m4b');

    const written = await push({ kind: 'dir', dir: library });
    const item = path.join(library, path.relative(abs.root, dir));
    expect(written.deliveries[0]).toMatchObject({ state: 'DONE', location: item });
    expect((await fs.readdir(item)).sort()).toEqual((await fs.readdir(dir)).sort());
  });

  it('says why a server cannot be reached', async () => {
    const closed = await startAbsServer({});
    const url = closed.url;
    await closed.close();
    const book = await push({ kind: 'api', url, token: 'uploader', library: 'l', folder: 'f' });
    expect(book.deliveries[0]?.error).toBe(
      `cannot reach Audiobookshelf at ${url}: connection refused`,
    );
  });
});
