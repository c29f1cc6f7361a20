import path from 'node:path';
import postgres from 'postgres';
import { expect } from 'vitest';
import type { Deployment } from './deployment.js';
import { makeEpub } from './epub-maker.js';

/** Uploads a generated book whose chapter titles carry `label` (see epub-maker.ts); returns its id. */
export async function uploadMadeBook(
  d: Deployment,
  label: string,
  chapters: number,
): Promise<string> {
  const file = path.join(d.dir, `${label}.epub`);
  await makeEpub(file, { chapters, words: 30, label });
  const { status, body } = await d.api.upload(file);
  expect(status).toBe(202);
  return body.id;
}

/**
 * Waits until some chapter of the book is RUNNING, and until the set of running
 * chapters has stayed the same for half a second (a worker's slots take their
 * jobs one after another, moments apart), and returns those chapters' numbers,
 * read from the database: the API's status answer may be a second old.
 */
export async function runningChapters(d: Deployment, bookId: string): Promise<number[]> {
  const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
  const running = async () =>
    (
      await sql`select n from chapters where book_id = ${bookId} and status = 'RUNNING' order by n`
    ).map((r) => r.n as number);
  try {
    let seen = await running();
    let sameSince = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await running();
      if (now.join() !== seen.join()) {
        seen = now;
        sameSince = Date.now();
      } else if (seen.length > 0 && Date.now() - sameSince >= 500) return seen;
    }
  } finally {
    await sql.end();
  }
}
