import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBookFlow, chapterJob, jobIds } from '../../flows/index.js';
import { createBookQueries } from '../../src/books/book-queries.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import type { QueueBackend } from '../../src/queue/queue-backend.js';
import type { JobNodeBody } from '../support/api-client.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';

const CHAPTERS = 1000;

/** API-only: a big book's job tree, and the upload size limit. No workers run here. */
describe('the API on a big book and a big upload', () => {
  let d: Deployment;
  let database: Database;
  let backend: QueueBackend;

  beforeAll(async () => {
    d = await createDeployment();
    await d.start('api', { MAX_UPLOAD_MB: '1' });
    database = await openDatabase(d.databaseUrl);
    backend = await d.queues();
  });

  afterAll(async () => {
    await database?.close();
    await d?.stop();
  });

  it(`returns the complete job tree of a ${CHAPTERS}-chapter book`, async () => {
    const id = 'big-book';
    const books = createBookQueries(database.db);
    await books.insertBook({
      id,
      owner: 'local',
      fileName: null,
      sizeBytes: 1,
      sourceKey: `books/${id}/source.epub`,
    });
    const ns = Array.from({ length: CHAPTERS }, (_, i) => i + 1);
    await books.insertChapters(
      id,
      ns.map((n) => ({
        n,
        title: `Chapter ${n}`,
        charCount: 100,
        wordCount: 2,
        excerpt: 'Words.',
        skipped: null,
      })),
    );
    // The tree as the orchestrator leaves it mid-flight: every chapter added under the merge job.
    await backend.flowProducer().add(buildBookFlow(id));
    const merge = await backend.queue('merge').getJob(jobIds.merge(id));
    const parent = { id: jobIds.merge(id), queue: merge?.queueQualifiedName as string };
    await backend.queue('tts').addBulk(ns.map((n) => chapterJob(id, n, parent)));

    const { status, body } = await d.api.jobs(id);
    expect(status).toBe(200);
    const mergeNode = body.children[0] as JobNodeBody;
    const chapters = mergeNode.children.filter((c) => c.id !== jobIds.parse(id));
    expect(chapters.map((c) => c.id)).toEqual(ns.map((n) => jobIds.chapter(id, n)));
    expect(chapters.every((c) => c.state === 'waiting')).toBe(true);
    expect(mergeNode.state).toBe('waiting-children');

    // Pollers that take gzip get the same answer compressed (a fraction of its size).
    const plain = await d.api.raw(`/books/${id}/jobs`, {
      headers: { 'accept-encoding': 'identity' },
    });
    const zipped = await request(`${d.api.base}/books/${id}/jobs`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    const bytes = Buffer.from(await zipped.body.arrayBuffer());
    const text = await plain.text();
    expect(gunzipSync(bytes).toString()).toBe(text);
    expect(bytes.length * 10).toBeLessThan(text.length);
  });

  it('refuses an upload of unannounced size once it passes MAX_UPLOAD_MB', async () => {
    const boundary = 'bookflow-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.epub"\r\n\r\n`;
    const parts = [
      Buffer.from(head),
      await fs.readFile(fixture('idpf-moby-dick.epub')),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ];
    // A streamed body is sent chunked, without a Content-Length to check up front.
    const res = await d.api.raw('/books', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(parts)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /larger than the 1 MB limit/,
    );
  });

  it('refuses an upload over MAX_UPLOAD_MB with 413, and records nothing', async () => {
    const res = await d.api.upload(fixture('idpf-moby-dick.epub')); // 1.6 MB
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/larger than the 1 MB limit/);
    const list = (await (await d.api.raw('/books?limit=100')).json()) as {
      books: { id: string }[];
    };
    expect(list.books.map((b) => b.id)).toEqual(['big-book']);
  });
});
