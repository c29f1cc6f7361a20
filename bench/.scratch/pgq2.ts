import postgres from 'postgres';
import { createTestDatabase } from '../../test/support/services.js';

const tdb = await createTestDatabase();
const sql = postgres(tdb.url, { max: 10 });
await sql`create table c (b text, n int, s text, a int default 0, primary key (b, n))`;
await sql`insert into c select 'b', g, 'P' from generate_series(1,1000) g`;
for (const conc of [1, 16]) {
  let t0 = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (let n = next++; n <= 1000; n = next++) await sql`select 1`;
    }),
  );
  console.log(conc, 'select 1', ((performance.now() - t0) / 1000).toFixed(3), 'ms/q');
  t0 = performance.now();
  next = 1;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      for (let n = next++; n <= 1000; n = next++)
        await sql`update c set a = a + 1, s = 'R' where b = 'b' and n = ${n}`;
    }),
  );
  console.log(conc, 'update', ((performance.now() - t0) / 1000).toFixed(3), 'ms/q');
}
await sql.end();
await tdb.drop();
