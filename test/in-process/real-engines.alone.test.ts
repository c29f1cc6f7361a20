import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { SENTENCE_END } from '../../src/text/segments.js';
import { createTtsEngine } from '../../src/tts/engines.js';
import { fixture } from '../support/fixtures.js';
import { kokoroLayout } from '../support/kokoro.js';
import { testVoicePath } from '../support/piper.js';
import { writeBook } from '../support/poison-books.js';
import { mastering } from '../support/probe.js';
import { tempDir } from '../support/services.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

/**
 * Two chapters of real prose (Pride and Prejudice's second and third), as a book of their own:
 * whole, or their opening paragraphs up to `words` each (for an engine too slow for more here).
 */
async function proseBook(file: string, words = Number.POSITIVE_INFINITY): Promise<void> {
  const pride = await parseEpubFile(fixture('pg-pride-and-prejudice-epub2.epub'));
  const chapters = pride.chapters.filter((c) => /^Chapter [23]$/.test(c.title));
  const docs = Object.fromEntries(
    chapters.map((c, i) => [
      `c${i + 1}.xhtml`,
      upTo(c.text.split('\n\n'), words)
        .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
        .join(''),
    ]),
  );
  await writeBook(file, { title: 'Two Chapters', docs });
}

/** The opening of a chapter, whole sentences up to `words` words (paragraphs kept). */
function upTo(paragraphs: string[], words: number): string[] {
  let count = 0;
  const kept: string[] = [];
  for (const p of paragraphs) {
    const sentences = p.split(SENTENCE_END).filter((s) => {
      const before = count;
      if (before < words) count += s.split(/\s+/).length;
      return before < words;
    });
    if (sentences.length > 0) kept.push(sentences.join(' '));
  }
  return kept;
}

/**
 * Real prose read by the real espeak-ng, Piper and Kokoro engines:
 * - the estimates a reviewer sees before a word is spoken (`estimatedSec`, at the voice's
 *   measured pace) within 10 % of what the engine then takes to say it;
 * - every chapter mastered to what audiobook stores ask: RMS −23 to −18 dB, true peak at
 *   most −3 dBTP, quiet under −60 dB in the pauses, 0.5–1 s of room tone before the title
 *   and 1–5 s after the last word.
 */
describe('books read by the real engines', () => {
  let t: TestApp | undefined;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>> | undefined;
  afterEach(async () => {
    await workers?.stop();
    await t?.close();
  });

  it.each([
    { name: 'espeak-ng', env: async () => ({ TTS_ENGINE: 'espeak' }) },
    { name: 'Piper', env: async () => ({ TTS_ENGINE: 'piper', PIPER_VOICES: testVoicePath() }) },
    // PyPI's Kokoro voices are Japanese: jf_alpha reads the English book as English. Whole
    // sentences up to 300 words a chapter: two such chapters take about two minutes here, and
    // one CI machine took over five for the 765 words paragraphs up to 300 gave.
    {
      name: 'Kokoro',
      words: 300,
      env: async (dir: string) => {
        await kokoroLayout(dir);
        return { TTS_ENGINE: 'kokoro', KOKORO_DIR: dir, TTS_VOICE: 'jf_alpha' };
      },
    },
  ])(
    '$name: estimates within a tenth, every chapter mastered to spec',
    async ({ name, env, words }) => {
      const install = await tempDir('bookflow-engine-');
      const engine = createTtsEngine(loadConfig(await env(install)).tts);
      t = await buildTestApp({ engine });
      workers = await startInProcessWorkers(t, engine, { ttsConcurrency: 2 });
      const file = path.join(t.dir, 'prose.epub');
      await proseBook(file, words);
      const { id } = (await injectUpload(t.app, file)).json();
      let book = (await t.app.inject(`/books/${id}`)).json();
      for (let i = 0; i < 2200 && !['READY', 'FAILED'].includes(book.status); i++) {
        await new Promise((r) => setTimeout(r, 250));
        book = (await t.app.inject(`/books/${id}`)).json();
      }
      expect(book.status).toBe('READY');
      const chapters = book.chapters as {
        estimatedSec: number;
        durationSec: number;
        wordCount: number;
      }[];
      expect(chapters).toHaveLength(2);
      for (const c of chapters) {
        const wpm = (c.wordCount * 60) / c.durationSec;
        console.log(
          `${name}: ${c.wordCount} words, ${c.durationSec.toFixed(1)} s heard, ${c.estimatedSec} s estimated, ${wpm.toFixed(0)} words a minute`,
        );
        expect(Math.abs(c.estimatedSec - c.durationSec) / c.durationSec).toBeLessThanOrEqual(0.1);
      }
      for (const c of book.chapters as { n: number; wordCount: number }[]) {
        const audio = await t.app.inject(`/books/${id}/chapters/${c.n}/audio`);
        const file = path.join(t.dir, `chapter-${c.n}.m4a`);
        await fs.writeFile(file, audio.rawPayload);
        const m = await mastering(file);
        console.log(`${name}: chapter ${c.n} ${JSON.stringify(m)}`);
        expect(m.rmsDb).toBeGreaterThanOrEqual(-23);
        expect(m.rmsDb).toBeLessThanOrEqual(-18);
        expect(m.truePeakDb).toBeLessThanOrEqual(-3);
        // The pauses between sentences fall under −60 dB (a sentence is ~25 words here).
        expect(m.quietPauses).toBeGreaterThanOrEqual(c.wordCount / 40);
        expect(m.leadSec).toBeGreaterThanOrEqual(0.5);
        expect(m.leadSec).toBeLessThanOrEqual(1);
        expect(m.tailSec).toBeGreaterThanOrEqual(1);
        expect(m.tailSec).toBeLessThanOrEqual(5);
      }
      const total = chapters.reduce((s, c) => s + c.estimatedSec, 0);
      expect(Math.abs(book.estimatedSec - total)).toBeLessThanOrEqual(1);
      await fs.rm(file, { force: true });
      await fs.rm(install, { recursive: true, force: true });
    },
    600_000,
  );
});
