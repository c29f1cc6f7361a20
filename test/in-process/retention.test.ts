import fs from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBookQueries } from '../../src/books/book-queries.js';
import { openDatabase } from '../../src/db/database.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import { purgeExpired } from '../../src/workers/book-retention.js';
import { fixture } from '../support/fixtures.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/** RETENTION_DAYS: finished books past it are purged whole; the others are left alone. */
describe('retention', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;

  const settled = async (id: string) => {
    for (let i = 0; i < 300; i++) {
      const book = (await t.app.inject(`/books/${id}`)).json();
      if (['READY', 'FAILED'].includes(book.status)) return book;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`book ${id} did not settle`);
  };

  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, createSilenceEngine());
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  it('purges finished books unchanged for longer than the setting, and only those', async () => {
    const upload = async (file: string, key: string) =>
      (await injectUpload(t.app, fixture(file), { 'idempotency-key': key })).json().id as string;
    const old = await upload('idpf-wasteland.epub', 'old');
    const oldFailed = await upload('broken/empty-spine.epub', 'old-failed');
    const recent = await upload('idpf-wasteland.epub', 'recent');
    for (const id of [old, oldFailed, recent]) await settled(id);
    const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
    const database = await openDatabase(t.databaseUrl);
    try {
      await sql`update books set updated_at = now() - interval '8 days' where id in ${sql([old, oldFailed])}`;
      const purged = await purgeExpired(
        {
          books: createBookQueries(database.db),
          jobs: t.jobs,
          storage: createLocalStorage(path.join(t.dir, 'objects')),
          log: { info: () => {}, warn: () => {} },
        },
        7,
      );
      expect(purged).toBe(2);
      await new Promise((r) => setTimeout(r, 1100)); // past the API's shared status answers
      for (const id of [old, oldFailed]) {
        expect((await t.app.inject(`/books/${id}`)).statusCode).toBe(404);
        const left = await sql`select count(*)::int as n from chapters where book_id = ${id}`;
        expect(left[0]?.n).toBe(0);
        await expect(fs.stat(path.join(t.dir, 'objects', 'books', id))).rejects.toThrow();
      }
      expect((await t.app.inject(`/books/${recent}`)).json().status).toBe('READY');
      // Its idempotency key is free again: the same key makes a new book.
      expect(await upload('idpf-wasteland.epub', 'old')).not.toBe(old);
    } finally {
      await sql.end();
      await database.close();
    }
  });
});
