import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EPUB_LIMITS, EpubError } from '../../src/epub/epub-limits.js';
import {
  createParseThreadPool,
  ParseLimitError,
  type ParseThreadPool,
} from '../../src/epub/parse-thread-pool.js';
import { DEFAULT_READ_OPTIONS } from '../../src/epub/parsed-book.js';
import { writeZip } from '../support/epub-maker.js';
import { mutate, prng, readEntries } from '../support/epub-mutator.js';
import { FIXTURES } from '../support/fixtures.js';
import { tempDir } from '../support/services.js';

/** Reproduce a failure with FUZZ_SEED=<the seed printed> (and FUZZ_BOOKS). */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const BOOKS = Number(process.env.FUZZ_BOOKS ?? 500);
/** Far below the service's defaults: the parser's own limits must stop every book first. */
const DEADLINE_MS = 20_000;
const MEMORY_MB = 512;

describe(`mutated books through the parse thread (seed ${SEED})`, () => {
  let pool: ParseThreadPool;
  let dir: string;
  let sources: { name: string; entries: { name: string; data: Buffer }[] }[];
  beforeAll(async () => {
    pool = createParseThreadPool({ memoryMb: MEMORY_MB, timeoutMs: DEADLINE_MS });
    dir = await tempDir('bookflow-fuzz-');
    const names = (await fs.readdir(FIXTURES)).filter((n) => n.endsWith('.epub'));
    sources = await Promise.all(
      names.map(async (name) => ({ name, entries: await readEntries(path.join(FIXTURES, name)) })),
    );
  });
  afterAll(async () => {
    await pool?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it(`parses or refuses each of ${BOOKS} books with an EpubError, within the limits`, async () => {
    const rng = prng(SEED);
    const outcomes = { parsed: 0, refused: 0 };
    const problems: string[] = [];
    // One at a time: the other core stays free for the test files that run beside this one
    // (the fault tests time recoveries in seconds).
    const one = async (i: number) => {
      const source = rng.pick(sources);
      const { entries, what } = mutate(source.entries, rng);
      const file = path.join(dir, `${i}.epub`);
      await writeZip(file, entries);
      const label = `book ${i} (seed ${SEED}): ${source.name}, ${what.join('; ')}`;
      const t0 = Date.now();
      try {
        await pool.parse(file, DEFAULT_EPUB_LIMITS, DEFAULT_READ_OPTIONS);
        outcomes.parsed++;
      } catch (err) {
        if (err instanceof ParseLimitError)
          problems.push(`${label} → stopped by the ${err.limit} limit`);
        else if (!(err instanceof EpubError)) problems.push(`${label} → ${String(err)}`);
        else if (/\/tmp\/|\/work\//.test(err.message))
          problems.push(`${label} → a path in "${err.message}"`);
        else outcomes.refused++;
      } finally {
        if (process.env.FUZZ_TIMES) console.log(Date.now() - t0, label);
        await fs.rm(file, { force: true });
      }
    };
    for (let i = 0; i < BOOKS; i++) await one(i);
    console.log(`fuzz seed ${SEED}: ${outcomes.parsed} parsed, ${outcomes.refused} refused`);
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(outcomes.parsed + outcomes.refused).toBe(BOOKS);
  }, 600_000);
});
