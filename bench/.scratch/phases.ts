import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { createDeployment } from '../../test/support/deployment.js';
import { makeEpub } from '../../test/support/epub-maker.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'phases-'));
const book = path.join(dir, 'b.epub');
await makeEpub(book, { chapters: 1000, words: 20 });
const d = await createDeployment({
  redis: process.argv[2] !== 'pg',
  env: () => ({ TTS_ENGINE: 'silence' }),
});
try {
  await d.start('api');
  const { spawn } = await import('node:child_process');
  const w = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--import', 'tsx', 'src/worker.ts'],
    { env: { ...process.env, ...d.env, LOG_LEVEL: 'warn' }, stdio: 'inherit' },
  );
  await new Promise((r) => setTimeout(r, 3000));
  const t0 = Date.now();
  const { body } = await d.api.upload(book);
  const tUp = Date.now();
  await d.api.waitFor(body.id, ['MERGING', 'READY', 'FAILED'], 600_000);
  const tm = Date.now();
  const q = await d.queues();
  const pj = await q.queue('parse').getJob(`${body.id}-parse`);
  const mj = await q.queue('merge').getJob(`${body.id}-merge`);
  console.log({
    parseStart:
      (pj?.processedOn ?? 0) - t0 - (Date.now() - performance.now() - performance.timeOrigin),
    parseEnd: pj?.finishedOn ?? 0,
    mergeProcessed: mj?.processedOn,
    t0,
  });
  const sql = postgres(d.databaseUrl, { max: 1 });
  const [r] =
    await sql`select (select extract(epoch from created_at)*1000 from books where id=${body.id}) as created,
    min(extract(epoch from started_at)*1000) as first_start, max(extract(epoch from started_at)*1000) as last_start,
    max(extract(epoch from finished_at)*1000) as last_finish from chapters where book_id=${body.id}`;
  const [st] =
    await sql`select avg(extract(epoch from finished_at - started_at)*1000) as avg_ms, percentile_cont(0.9) within group (order by extract(epoch from finished_at - started_at)*1000) as p90 from chapters where book_id=${body.id}`;
  console.log(st);
  const rel = (x: unknown) => Math.round(Number(x) - t0);
  console.log({
    upload: tUp - t0,
    created: rel(r?.created),
    firstStart: rel(r?.first_start),
    lastStart: rel(r?.last_start),
    lastFinish: rel(r?.last_finish),
    mergingSeen: tm - t0,
  });
  await sql.end();
  w.kill('SIGTERM');
  await new Promise((r) => w.once('exit', r));
} finally {
  await d.stop();
}
