import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { manyChapters, POISON_BOOKS, writeBook } from '../support/poison-books.js';
import type { ServiceProcess } from '../support/processes.js';

const PARSE_TIMEOUT_S = 20;

/**
 * One book of each poison class, uploaded at once to an API and two workers,
 * with a normal book among them: each ends as it must within the deadline, no
 * worker dies, and the normal book is not held up.
 */
describe('poison books on a running service', () => {
  let d: Deployment;
  let workers: ServiceProcess[];
  beforeAll(async () => {
    d = await createDeployment({
      env: () => ({
        TTS_ENGINE: 'silence',
        PARSE_TIMEOUT: String(PARSE_TIMEOUT_S),
        PARSE_MEMORY_MB: '384',
      }),
    });
    await d.start('api');
    workers = [await d.start('worker'), await d.start('worker')];
  });
  afterAll(() => d?.stop());

  it('fails each with its precise message, or finishes it, and the workers live on', async () => {
    const books = await Promise.all(
      POISON_BOOKS.map(async (poison, i) => {
        const file = path.join(d.dir, `poison-${i}.epub`);
        await writeBook(file, poison.parts());
        const { status, body } = await d.api.upload(file);
        expect(status, poison.name).toBe(202);
        return { ...poison, id: body.id, uploadedAt: Date.now() };
      }),
    );
    const normalAt = Date.now();
    const normal = await d.api.upload(fixture('idpf-wasteland.epub'));
    expect(normal.status).toBe(202);

    const normalBook = await d.api.waitFor(normal.body.id, ['READY', 'FAILED']);
    expect(normalBook.status).toBe('READY');
    // Not queued behind the poison: well within one parse deadline.
    expect(Date.now() - normalAt).toBeLessThan(PARSE_TIMEOUT_S * 1000);

    for (const book of books) {
      const end = await d.api.waitFor(book.id, ['READY', 'FAILED'], 180_000);
      if (book.outcome === 'READY') {
        expect(end.status, `${book.name}: ${end.error}`).toBe('READY');
      } else {
        expect(end.status, book.name).toBe('FAILED');
        expect(end.error, book.name).toMatch(book.outcome);
        expect((end.error ?? '').length).toBeLessThanOrEqual(600);
        expect(end.error).not.toMatch(/\/tmp\/|books\/[\w-]+\/|insert into|Maximum call stack/);
      }
    }
    const titled = await d.api.get(books.find((b) => b.name.startsWith('NUL'))?.id ?? '');
    expect(titled.body.title).toBe('NulTitle');
    expect(titled.body.author).toBe('Author');
    for (const b of books.filter((x) => x.name.includes('cover'))) {
      const { body } = await d.api.get(b.id);
      expect(body.leftOut, b.name).toContain(
        'the cover image could not be read, so the audiobook has none',
      );
    }
    for (const w of workers) expect(w.child.exitCode, w.output().slice(-2000)).toBeNull();
  }, 400_000);

  it('converts a book of 8,000 chapters, more than one INSERT can hold', async () => {
    const file = path.join(d.dir, 'many.epub');
    await writeBook(file, manyChapters());
    const { body } = await d.api.upload(file);
    const end = await d.api.waitFor(body.id, ['READY', 'FAILED'], 300_000);
    expect(end.status, end.error ?? '').toBe('READY');
    expect(end.chapters).toHaveLength(8_000);
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  }, 400_000);
});
