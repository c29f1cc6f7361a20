import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBookFlow, chapterJob, jobIds } from '../flows/index.js';
import { createBookQueries } from '../src/books/book-queries.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { openQueueBackend, type QueueBackend } from '../src/queue/queue-backend.js';
import { apiClient, type JobNodeBody } from './support/api-client.js';
import { fixture } from './support/fixtures.js';
import { freePort, type ServiceProcess, startService } from './support/processes.js';
import {
  clearRedisPrefix,
  createTestDatabase,
  REDIS_URL,
  tempDir,
  uniqueName,
} from './support/services.js';

const CHAPTERS = 1000;

/** API-only: a big book's job tree, and the upload size limit. No workers run here. */
describe('the API on a big book and a big upload', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let database: Database;
  let backend: QueueBackend;
  let dir: string;
  const prefix = uniqueName('bf');
  let apiProcess: ServiceProcess;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    [testDb, dir] = await Promise.all([createTestDatabase(), tempDir()]);
    const port = await freePort();
    apiProcess = await startService('api', {
      DATABASE_URL: testDb.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      DATA_DIR: dir,
      MAX_UPLOAD_MB: '1',
    });
    database = await openDatabase(testDb.url);
    backend = await openQueueBackend({
      redisUrl: REDIS_URL,
      databaseUrl: testDb.url,
      namespace: prefix,
    });
    api = apiClient(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await apiProcess?.stop();
    await backend?.close();
    await database?.close();
    await clearRedisPrefix(prefix);
    await Promise.all([testDb?.drop(), fs.rm(dir, { recursive: true, force: true })]);
  });

  it(`returns the complete job tree of a ${CHAPTERS}-chapter book`, async () => {
    const id = 'big-book';
    const books = createBookQueries(database.db);
    await books.insertBook({
      id,
      fileName: null,
      sizeBytes: 1,
      sourceKey: `books/${id}/source.epub`,
    });
    const ns = Array.from({ length: CHAPTERS }, (_, i) => i + 1);
    await books.insertChapters(
      id,
      ns.map((n) => ({ n, title: `Chapter ${n}`, charCount: 100, skipped: null })),
    );
    // The tree as the orchestrator leaves it mid-flight: every chapter added under the merge job.
    await backend.flowProducer().add(buildBookFlow(id));
    const merge = await backend.queue('merge').getJob(jobIds.merge(id));
    const parent = { id: jobIds.merge(id), queue: merge?.queueQualifiedName as string };
    await backend.queue('tts').addBulk(ns.map((n) => chapterJob(id, n, parent)));

    const { status, body } = await api.jobs(id);
    expect(status).toBe(200);
    const mergeNode = body.children[0] as JobNodeBody;
    const chapters = mergeNode.children.filter((c) => c.id !== jobIds.parse(id));
    expect(chapters.map((c) => c.id)).toEqual(ns.map((n) => jobIds.chapter(id, n)));
    expect(chapters.every((c) => c.state === 'waiting')).toBe(true);
    expect(mergeNode.state).toBe('waiting-children');
  });

  it('refuses an upload over MAX_UPLOAD_MB with 413, and records nothing', async () => {
    const res = await api.upload(fixture('idpf-moby-dick.epub')); // 1.6 MB
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/larger than the 1 MB limit/);
    const list = (await (await api.raw('/books?limit=100')).json()) as { books: { id: string }[] };
    expect(list.books.map((b) => b.id)).toEqual(['big-book']);
  });
});
