import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TtsEngine } from '../../src/tts/tts-engine.js';
import { fixture } from '../support/fixtures.js';
import { tempDir } from '../support/services.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const LOCK_MS = 2000;
const RATE = 16000;

/**
 * An engine in the worker's own process (as Piper is) that, the first time it is asked for
 * the opening chapter's title, holds the event loop for well past the lock duration: what
 * a machine at load 15 did to a worker for 72 s.
 */
function starvingEngine(said: string[]): TtsEngine {
  let starved = false;
  return {
    name: 'starving',
    voices: [{ id: 'plain', language: null }],
    defaultVoice: 'plain',
    unit: 'sentence',
    open: () => ({
      async synthesize(text) {
        said.push(text);
        if (!starved && /burial of the dead/i.test(text)) {
          starved = true;
          const until = Date.now() + LOCK_MS * 3;
          while (Date.now() < until) {} // the event loop held: no timer, no lock renewal
        }
        await new Promise((r) => setTimeout(r, 20));
        return { sampleRate: RATE, channels: 1, data: Buffer.alloc(RATE / 2) };
      },
      close: () => {},
    }),
  };
}

/** Both cores kept busy by other processes meanwhile. */
const burners = () =>
  os.cpus().map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));

describe('a speech worker starved past its job lock', () => {
  let t: TestApp;
  let scratch: string;
  const tmpdir = process.env.TMPDIR;
  beforeAll(async () => {
    t = await buildTestApp();
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

  it('makes the chapter once: the stale run stops, writes nothing and leaves no file', async () => {
    const said: string[] = [];
    const busy = burners();
    const workers = await startInProcessWorkers(t, starvingEngine(said), {
      lock: { lockMs: LOCK_MS, stallCheckMs: 1000 },
      ttsConcurrency: 2,
    });
    try {
      const { id } = (await injectUpload(t.app, fixture('idpf-wasteland.epub'))).json();
      let book = (await t.app.inject(`/books/${id}`)).json();
      for (let i = 0; i < 600 && !['READY', 'FAILED'].includes(book.status); i++) {
        await new Promise((r) => setTimeout(r, 100));
        book = (await t.app.inject(`/books/${id}`)).json();
      }
      expect(book.status).toBe('READY');
      const first = book.chapters[0];
      expect(first).toMatchObject({ n: 1, status: 'DONE' });
      // It was handed out again, and the run that lost its lock was stopped.
      expect(first.attempts).toBeGreaterThanOrEqual(2);
      expect(said.filter((s) => /burial of the dead/i.test(s)).length).toBeGreaterThanOrEqual(2);
      expect(workers.log.some((l) => l.includes('job lock lost'))).toBe(true);

      // DONE once, and one audio file for it: the stale run wrote none, or took its own back.
      const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
      const done = await sql`select count(*)::int as n from book_events
        where book_id = ${id} and kind = 'chapter' and data->>'n' = '1' and data->>'status' = 'DONE'`;
      await sql.end();
      expect(done[0]?.n).toBe(1);
      const files = await fs.readdir(path.join(t.dir, 'objects', 'books', id, 'chapters'));
      expect(files.filter((f) => /^1(-|\.)/.test(f))).toHaveLength(1);
      // Every run's scratch folder is gone, the stale one's too.
      await new Promise((r) => setTimeout(r, 1000));
      const left = (await fs.readdir(scratch)).filter((f) => f.startsWith('bookflow-'));
      expect(left).toEqual([]);
    } finally {
      for (const b of busy) b.kill();
      await workers.stop();
    }
  }, 120_000);
});
