import { createBookQueries } from '../../src/books/book-queries.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase } from '../../test/support/services.js';

const tdb = await createTestDatabase();
const database = await openDatabase(tdb.url);
const books = createBookQueries(database.db);
await books.insertBook({ id: 'b', owner: 'local', fileName: null, sizeBytes: 1, sourceKey: 'x' });
await books.insertChapters(
  'b',
  Array.from({ length: 1000 }, (_, i) => ({
    n: i + 1,
    title: `C${i}`,
    charCount: 1,
    skipped: null,
  })),
);
for (const conc of [1, 16]) {
  const t0 = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (let n = next++; n <= 1000; n = next++) {
        await Promise.all([books.getBook('b'), books.chapterStarted('b', n, { evenIfDone: true })]);
        await books.chapterDone('b', n, 'k', 1);
      }
    }),
  );
  console.log(conc, ((performance.now() - t0) / 1000).toFixed(2), 'ms/chapter');
}
await database.close();
await tdb.drop();
