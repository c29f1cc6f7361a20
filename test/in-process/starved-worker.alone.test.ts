import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTtsEngine } from '../../src/tts/engines.js';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { testVoicePath } from '../support/piper.js';
import { writeBook } from '../support/poison-books.js';
import { tempDir } from '../support/services.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const LOCK_MS = 2000;
const MARK = /lighthouse/i;

/**
 * The real Piper engine, in the worker's own process, whose first request for the opening
 * chapter's marked sentence holds the event loop for well past the lock duration before
 * Piper reads it: what a machine at load 15 did to a worker for 72 s. Piper's inference
 * threads go on meanwhile; only the loop that renews locks is held.
 */
function starving(piper: TtsEngine, said: string[]): TtsEngine {
  let starved = false;
  return {
    ...piper,
    open(opts) {
      const session = piper.open(opts);
      return {
        synthesize(text) {
          said.push(text);
          if (!starved && MARK.test(text)) {
            starved = true;
            const until = Date.now() + LOCK_MS * 3;
            while (Date.now() < until) {} // no timer runs, no lock is renewed
          }
          return session.synthesize(text);
        },
        close: () => session.close(),
      };
    },
  };
}

/** Both cores kept busy by other processes meanwhile. */
const burners = () =>
  os.cpus().map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));

const paragraph = (words: string) => `<p>${words}</p>`;

describe('a speech worker starved past its job lock', () => {
  let t: TestApp;
  let scratch: string;
  let piper: TtsEngine;
  const tmpdir = process.env.TMPDIR;
  beforeAll(async () => {
    piper = createTtsEngine(loadConfig({ TTS_ENGINE: 'piper', PIPER_VOICES: testVoicePath() }).tts);
    t = await buildTestApp({ engine: piper });
    // The runs' scratch folders, apart from everything else's, to see that none is left.
    scratch = await tempDir('bookflow-starved-');
    process.env.TMPDIR = scratch;
  });
  afterAll(async () => {
    // Assigning undefined would set the text "undefined".
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
    await t?.close();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  it('Piper: the chapter is made once, the stale run stops, writes nothing, leaves no file', async () => {
    const said: string[] = [];
    const busy = burners();
    const workers = await startInProcessWorkers(t, starving(piper, said), {
      lock: { lockMs: LOCK_MS, stallCheckMs: 1000 },
      ttsConcurrency: 2,
    });
    try {
      const file = path.join(t.dir, 'starved.epub');
      await writeBook(file, {
        title: 'A Starved Worker',
        docs: {
          'c1.xhtml': [
            'The keeper climbed to the lighthouse lamp at dusk.',
            'He trimmed the wick and wound the clockwork that turned the lens.',
            'Far out, a ship answered with three short blasts of her horn.',
          ]
            .map(paragraph)
            .join(''),
          'c2.xhtml': paragraph(
            'In the morning the sea was calm and grey, and the gulls came back.',
          ),
        },
      });
      const { id } = (await injectUpload(t.app, file)).json();
      let book = (await t.app.inject(`/books/${id}`)).json();
      for (let i = 0; i < 900 && !['READY', 'FAILED'].includes(book.status); i++) {
        await new Promise((r) => setTimeout(r, 100));
        book = (await t.app.inject(`/books/${id}`)).json();
      }
      expect(book.status).toBe('READY');
      const first = book.chapters[0];
      expect(first).toMatchObject({ n: 1, status: 'DONE' });
      // It was handed out again, and the run that lost its lock was stopped.
      expect(first.attempts).toBeGreaterThanOrEqual(2);
      expect(said.filter((s) => MARK.test(s)).length).toBeGreaterThanOrEqual(2);
      expect(workers.log.some((l) => l.includes('job lock lost'))).toBe(true);

      // DONE once, and its audio written once, before it was DONE: nothing wrote over it.
      const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
      const done = await sql`select created_at from book_events
        where book_id = ${id} and kind = 'chapter' and data->>'n' = '1' and data->>'status' = 'DONE'`;
      await sql.end();
      expect(done).toHaveLength(1);
      const dir = path.join(t.dir, 'objects', 'books', id, 'chapters');
      const audio = (await fs.readdir(dir)).filter((f) => /^1(-|\.)/.test(f));
      expect(audio).toHaveLength(1);
      // Wait past the stale run's end, then see that its file was not replaced.
      await new Promise((r) => setTimeout(r, 3000));
      const written = (await fs.stat(path.join(dir, audio[0] as string))).mtimeMs;
      expect(written).toBeLessThanOrEqual(
        ((done[0]?.created_at as Date | undefined)?.getTime() ?? 0) + 5,
      );
      // Every run's scratch folder is gone, the stale one's too.
      const left = (await fs.readdir(scratch)).filter((f) => f.startsWith('bookflow-'));
      expect(left).toEqual([]);
    } finally {
      for (const b of busy) b.kill();
      await workers.stop();
    }
  }, 150_000);
});
