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
 * Waits until some chapter of the book is RUNNING and returns those chapters'
 * numbers, read from the database: the API's status answer may be a second old.
 */
export async function runningChapters(d: Deployment, bookId: string): Promise<number[]> {
  const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (;;) {
      const rows =
        await sql`select n from chapters where book_id = ${bookId} and status = 'RUNNING' order by n`;
      if (rows.length > 0) return rows.map((r) => r.n as number);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await sql.end();
  }
}
