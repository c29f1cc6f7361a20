import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookQueries, createBookQueries } from '../../src/books/book-queries.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { createTestDatabase } from '../support/services.js';

/** Status rules, against a real PostgreSQL with the real migrations applied. */
describe('book status transitions', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let database: Database;
  let books: BookQueries;
  let n = 0;

  const newBook = async () => {
    n += 1;
    const id = `book-${n}`;
    await books.insertBook({
      id,
      owner: 'local',
      fileName: 'x.epub',
      sizeBytes: 1,
      sourceKey: `books/${id}/source.epub`,
    });
    return id;
  };
  const status = async (id: string) => (await books.getBook(id))?.status;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // Two processes starting together both migrate; the advisory lock makes that safe.
    const [a, b] = await Promise.all([openDatabase(testDb.url), openDatabase(testDb.url)]);
    await b.close();
    database = a;
    books = createBookQueries(database.db);
  });

  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('moves forward, skipping steps if it must, and never back', async () => {
    const id = await newBook();
    expect(await books.advance(id, 'PARSING')).toBe(true);
    expect(await books.advance(id, 'MERGING')).toBe(true);
    expect(await books.advance(id, 'GENERATING')).toBe(false);
    expect(await books.advance(id, 'READY')).toBe(true);
    expect(await books.advance(id, 'READY')).toBe(false);
    expect(await books.advance(id, 'PARSING')).toBe(false);
    expect(await status(id)).toBe('READY');
  });

  it('never fails a READY book, and only an explicit retry re-opens a FAILED one', async () => {
    const ready = await newBook();
    await books.advance(ready, 'READY');
    expect(await books.fail(ready, 'late failure')).toBe(false);
    expect((await books.getBook(ready))?.error).toBeNull();

    const failed = await newBook();
    expect(await books.fail(failed, 'chapter 2 failed')).toBe(true);
    expect(await books.advance(failed, 'READY')).toBe(false);
    expect(await books.reopen(failed, 'GENERATING')).toBe(true);
    expect(await books.getBook(failed)).toMatchObject({ status: 'GENERATING', error: null });
    expect(await books.reopen(failed, 'GENERATING')).toBe(false);
  });

  it('records chapters once and counts every synthesis attempt', async () => {
    const id = await newBook();
    const chapters = [
      { n: 1, title: 'One', charCount: 10, wordCount: 2, excerpt: 'Words.', skipped: null },
      {
        n: 2,
        title: 'Pictures',
        charCount: 0,
        wordCount: 2,
        excerpt: 'Words.',
        skipped: 'no speakable text (images only)',
      },
    ];
    await books.insertChapters(id, chapters);
    await books.chapterStarted(id, 1);
    await books.chapterFailed(id, 1, 'boom', false);
    await books.chapterStarted(id, 1);
    const cues = [
      { start: 0, text: 'One' },
      { start: 1.25, text: 'It begins.' },
    ];
    await books.chapterDone(id, 1, {
      audioKey: `books/${id}/chapters/1.m4a`,
      durationSec: 12.5,
      cues,
    });
    await books.insertChapters(id, chapters); // a repeated parse changes nothing
    await books.chapterStarted(id, 1); // a late duplicate cannot un-finish a chapter
    const rows = await books.getChapters(id);
    expect(rows[0]?.cues).toEqual(cues);
    expect(rows.map((c) => [c.n, c.status, c.attempts, c.durationSec, c.error])).toEqual([
      [1, 'DONE', 2, 12.5, null],
      [2, 'SKIPPED', 0, null, 'no speakable text (images only)'],
    ]);
  });

  it('changes chapters only while the book is in REVIEW, and starts it once', async () => {
    const id = await newBook();
    await books.advance(id, 'REVIEW');
    await books.insertChapters(
      id,
      [1, 2].map((c) => ({
        n: c,
        title: `Part ${c}`,
        charCount: 9,
        wordCount: 2,
        excerpt: '',
        skipped: null,
      })),
    );
    for (const c of [1, 2]) await books.editChapter(id, c, { included: false });
    expect(await books.startReviewed(id)).toBeUndefined(); // nothing to read: not started
    expect(await status(id)).toBe('REVIEW');
    expect(await books.editChapter(id, 2, { included: true, title: 'The end' })).toMatchObject({
      status: 'PENDING',
      title: 'The end',
      error: null,
    });
    expect((await books.getChapter(id, 1))?.error).toBe('left out at review');
    expect(await books.startReviewed(id)).toBe(1);
    expect(await books.startReviewed(id)).toBeUndefined(); // once
    expect(await status(id)).toBe('GENERATING');
    expect(await books.editChapter(id, 1, { included: true })).toBeUndefined();
    expect(await books.getChapter(id, 1)).toMatchObject({ status: 'SKIPPED' });
  });

  it('numbers an owner’s books in upload order, whichever is parsed first', async () => {
    const owners = { carol: [] as string[], dave: [] as string[] };
    for (const owner of ['carol', 'carol', 'dave', 'carol'] as const) {
      n += 1;
      const id = `sched-${n}`;
      await books.insertBook({ id, owner, fileName: 'x.epub', sizeBytes: 1, sourceKey: 'k' });
      await books.advance(id, 'GENERATING');
      await books.insertChapters(
        id,
        [1, 2].map((c) => ({
          n: c,
          title: `Chapter ${c}`,
          charCount: 10,
          wordCount: 2,
          excerpt: 'Words.',
          skipped: null,
        })),
      );
      owners[owner].push(id);
    }
    const [first, second] = owners.carol as [string, string];
    // Carol's second book is parsed first, then her first: the first goes ahead of it.
    const later = await books.scheduleChapters(second, [1, 2]);
    const earlier = await books.scheduleChapters(first, [2, 1]);
    const base = [...later.turns.values()][0] as number;
    expect([...earlier.turns]).toEqual([
      [1, base],
      [2, base + 1],
    ]);
    expect(earlier.moved.sort((a, b) => a.n - b.n)).toEqual([
      { bookId: second, n: 1, priority: base + 2 },
      { bookId: second, n: 2, priority: base + 3 },
    ]);
    // Dave, with nothing queued, lines up beside the head rather than behind Carol's four.
    const dave = await books.scheduleChapters(owners.dave[0] as string, [1, 2]);
    expect([...dave.turns.values()]).toEqual([base, base + 1]);
    expect(dave.moved).toEqual([]);
    // Carol's third follows the last turn of her books still waiting, her second's.
    const third = await books.scheduleChapters(owners.carol[2] as string, [1, 2]);
    expect([...third.turns.values()]).toEqual([base + 4, base + 5]);
    expect(third.moved).toEqual([]);
  });

  it('keeps the books-by-status counts true through single and bulk writes', async () => {
    const counted = async () => {
      const rows = await database.db.execute<{ status: string; count: number }>(
        sql`select status, count(*)::int as count from books group by status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.count]));
    };
    const kept = async () =>
      Object.fromEntries(
        (await books.countByStatus()).filter((r) => r.count > 0).map((r) => [r.status, r.count]),
      );
    const a = await newBook();
    await books.advance(a, 'PARSING');
    await books.advance(a, 'PARSING'); // no change of status: nothing counted twice
    const gone = await newBook();
    await database.db.execute(sql`delete from books where id = ${gone}`);
    // As a purge or a restore writes: many books in one statement.
    await database.db.execute(sql`
      insert into books (id, owner, status, file_name, size_bytes, source_key)
      select 'bulk-' || i, 'o', 'UPLOADED', 'x.epub', 1, 'k' || i from generate_series(1, 200) i`);
    await database.db.execute(
      sql`update books set status = 'FAILED' where id like 'bulk-%' and right(id, 1) = '7'`,
    );
    await database.db.execute(sql`delete from books where id like 'bulk-1%'`);
    expect(await kept()).toEqual(await counted());
    expect((await kept()).FAILED).toBeGreaterThan(0);
  });
});
