import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EPUB_LIMITS } from '../../src/epub/epub-limits.js';
import { createParseThreadPool, ParseLimitError } from '../../src/epub/parse-thread-pool.js';
import { DEFAULT_READ_OPTIONS } from '../../src/epub/parsed-book.js';
import { makeEpub } from '../support/epub-maker.js';
import { tempDir } from '../support/services.js';

/** Other processes holding every core three times over: a busy machine. */
const burners = () =>
  os
    .cpus()
    .flatMap(() => [1, 2, 3])
    .map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));

/**
 * PARSE_TIMEOUT counts the parse thread's own CPU time: a large book read while other
 * processes hold the cores takes longer on the wall than its deadline, and is not failed
 * for it; a book that needs more CPU than the deadline still is.
 */
describe('the parse deadline on a busy machine', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await tempDir('bookflow-parse-');
    file = path.join(dir, 'big.epub');
    // A million words in 40 chapters: about a second of parsing on a core of its own.
    await makeEpub(file, { chapters: 40, words: 25_000 });
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const timed = async (timeoutMs: number) => {
    const pool = createParseThreadPool({ memoryMb: 512, timeoutMs });
    try {
      const t0 = performance.now();
      // The test's own thread idles meanwhile: the process's CPU is the parse thread's.
      const cpu0 = process.cpuUsage();
      const book = await pool.parse(file, DEFAULT_EPUB_LIMITS, DEFAULT_READ_OPTIONS);
      const cpu = process.cpuUsage(cpu0);
      return { book, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    } finally {
      await pool.close();
    }
  };

  it('reads a large book whose wait for a core outlasts the deadline', async () => {
    const alone = await timed(60_000);
    expect(alone.book.chapters).toHaveLength(40);
    // Half again the CPU it needs: enough to read it, less than its wait beside busy processes.
    const deadline = Math.max(1000, Math.round(alone.cpuMs * 1.5));
    const busy = burners();
    try {
      const crowded = await timed(deadline);
      console.log(
        `parse alone ${Math.round(alone.ms)} ms (${Math.round(alone.cpuMs)} ms CPU); beside ${busy.length} busy processes ${Math.round(crowded.ms)} ms; deadline ${deadline} ms of CPU`,
      );
      expect(crowded.book.chapters).toHaveLength(40);
      // It waited: a wall-clock deadline would have stopped it.
      expect(crowded.ms).toBeGreaterThan(deadline);
    } finally {
      for (const b of busy) b.kill();
    }
  }, 120_000);

  it('still stops a book that needs more CPU than the deadline', async () => {
    const stopped = await timed(200).catch((err: Error) => err);
    expect(stopped).toBeInstanceOf(ParseLimitError);
    expect((stopped as Error).message).toMatch(/took more than 0\.2 s \(PARSE_TIMEOUT\)/);
  });
});
