import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../flows/index.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { objectKeys } from '../../src/storage/object-keys.js';
import { createS3Storage } from '../../src/storage/s3-storage.js';
import type { JobNodeBody } from '../support/api-client.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { decodeErrors, ffprobe } from '../support/probe.js';

/**
 * API and workers as separate processes, on both queue backends: the production
 * shape (queues on Redis, objects in S3) and the embedded one (queues in
 * PostgreSQL, objects on local disk).
 */
describe.each([
  { setup: 'Redis queues + S3 storage', redis: true, s3: true },
  { setup: 'PostgreSQL queues + local storage', redis: false, s3: false },
])('pipeline on $setup, with separate api and worker processes', (variant) => {
  let d: Deployment;
  let api: Deployment['api'];
  let dataDir: string;

  beforeAll(async () => {
    d = await createDeployment({ redis: variant.redis, s3: variant.s3 });
    ({ api, dir: dataDir } = d);
    await d.start('api');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  const storedSize = (key: string) => {
    const s3 = d.s3;
    const storage = s3
      ? createS3Storage({
          bucket: s3.env.S3_BUCKET as string,
          endpoint: s3.env.S3_ENDPOINT,
          region: 'us-east-1',
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
          forcePathStyle: true,
        })
      : createLocalStorage(path.join(dataDir, 'objects'));
    return storage.size(key);
  };

  it.each([
    ['idpf-wasteland.epub', 'The Waste Land', 'en-US'],
    ['idpf-regime-anticancer-arabic.epub', 'Le Vrai Régime anti-cancer', 'ar'],
  ])(
    'turns %s into a playable audiobook with a chapter marker per chapter',
    async (file, title, language) => {
      const upload = await api.upload(fixture(file));
      expect(upload.status).toBe(202);
      expect(upload.body.status).toBe('UPLOADED');
      const id = upload.body.id;

      const book = await api.waitFor(id, ['READY', 'FAILED']);
      expect(book.error).toBeNull();
      expect(book.status).toBe('READY');
      expect(book.title).toBe(title);
      expect(book.language).toBe(language);
      const spoken = book.chapters.filter((c) => c.status !== 'SKIPPED');
      expect(spoken.length).toBeGreaterThan(0);
      expect(spoken.every((c) => c.status === 'DONE' && (c.durationSec ?? 0) > 0)).toBe(true);
      const words = spoken.reduce((sum, c) => sum + c.wordCount, 0);
      expect(book.progress).toEqual({
        done: spoken.length,
        total: spoken.length,
        failed: 0,
        wordsDone: words,
        wordsTotal: words,
      });

      const tree = (await api.jobs(id)).body;
      expect(tree.name).toBe(JOBS.finalizeBook);
      expect(tree.state).toBe('completed');
      const merge = tree.children[0] as JobNodeBody;
      expect(merge.name).toBe(JOBS.mergeAudiobook);
      expect(merge.children.map((c) => c.name).sort()).toEqual(
        [JOBS.parseEpub, ...spoken.map(() => JOBS.generateAudio)].sort(),
      );
      expect(merge.children.every((c) => c.state === 'completed')).toBe(true);
      // Its jobs are gone from the queues; the tree is the one recorded when it finished,
      // with every job's real attempts and times.
      for (const node of [tree, merge, ...merge.children]) {
        const { created, processed, finished } = node.timestamps;
        expect(node.attemptsMade, node.name).toBeGreaterThanOrEqual(1);
        expect(created, node.name).not.toBeNull();
        expect(processed as number).toBeGreaterThanOrEqual(created as number);
        expect(finished as number).toBeGreaterThanOrEqual(processed as number);
      }

      // The audiobook lives in the configured storage, where the API streams it from.
      const size = await storedSize(objectKeys.audiobook(id, 'm4b'));
      expect(size).toBeGreaterThan(1000);

      const res = await api.raw(`/books/${id}/audio`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/mp4');
      const out = path.join(dataDir, `${id}.m4b`);
      await fs.writeFile(out, Buffer.from(await res.arrayBuffer()));
      expect((await fs.stat(out)).size).toBe(size);

      const probe = await ffprobe(out);
      expect(probe.codecs).toEqual(['aac']);
      expect(probe.cover).toBe('mjpeg'); // the EPUB's JPEG cover, as cover art
      expect(probe.chapters.map((c) => c.title)).toEqual(spoken.map((c) => c.title));
      const sum = spoken.reduce((a, c) => a + (c.durationSec ?? 0), 0);
      expect(Math.abs(probe.durationSec - sum)).toBeLessThan(0.5 + sum * 0.01);
      expect(Math.abs((book.durationSec ?? 0) - probe.durationSec)).toBeLessThan(0.1);
      expect(probe.tags.title).toBe(title);
      expect(await decodeErrors(out)).toBe(''); // plays from start to end
      // No voice was chosen at upload: the book's language picked espeak-ng's voice.
      expect(book.voice).toBe(language.split('-')[0]);

      const partial = await api.raw(`/books/${id}/audio`, { headers: { range: 'bytes=0-99' } });
      expect(partial.status).toBe(206);
      expect(partial.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
      expect((await partial.arrayBuffer()).byteLength).toBe(100);
    },
  );

  it('refuses what is not an EPUB with 415 and a message, and records nothing', async () => {
    const before = (await (await api.raw('/books?limit=100')).json()) as { books: unknown[] };
    for (const file of ['broken/not-a-zip.epub', 'broken/zero-bytes.epub']) {
      const res = await api.upload(fixture(file));
      expect(res.status).toBe(415);
      expect(res.body.message).toMatch(/not a valid EPUB|empty/);
    }
    const after = (await (await api.raw('/books?limit=100')).json()) as { books: unknown[] };
    expect(after.books.length).toBe(before.books.length);
  });

  it('answers unknown ids with a JSON 404, never a 500', async () => {
    for (const p of ['/books/nope', '/books/nope/jobs', '/books/nope/audio']) {
      const res = await api.raw(p);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toMatch(/not found/);
    }
    expect((await api.post('/books/nope/chapters/1/retry')).status).toBe(404);
    expect((await api.post('/books/nope/retry')).status).toBe(404);
  });

  it('answers 409 for audio before READY and for retrying a chapter that has not failed', async () => {
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const early = await api.raw(`/books/${body.id}/audio`);
    expect(early.status).toBe(409);
    await api.waitFor(body.id, ['READY']);
    const retry = await api.post(`/books/${body.id}/chapters/1/retry`);
    expect(retry.status).toBe(409);
    expect(String(retry.body.message)).toMatch(/has not failed/);
  });

  it('lists books newest first, in pages', async () => {
    const first = (await (await api.raw('/books?limit=1')).json()) as {
      books: { id: string; createdAt: string }[];
      next: string;
    };
    expect(first.books).toHaveLength(1);
    expect(first.next).toBeTruthy();
    const second = (await (await api.raw(`/books?limit=1&cursor=${first.next}`)).json()) as {
      books: { id: string; createdAt: string }[];
    };
    expect(second.books).toHaveLength(1);
    expect(second.books[0]?.id).not.toBe(first.books[0]?.id);
    expect(Date.parse(second.books[0]?.createdAt ?? '')).toBeLessThanOrEqual(
      Date.parse(first.books[0]?.createdAt ?? ''),
    );
  });

  it('reports readiness of database, queues and storage', async () => {
    const res = await api.raw('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      engine: { state: 'up' },
      checks: { database: 'ok', queues: 'ok', storage: 'ok', engine: 'ok' },
    });
  });
});
