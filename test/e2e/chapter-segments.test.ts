import fs from 'node:fs/promises';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds, QUEUES } from '../../flows/index.js';
import { objectKeys } from '../../src/storage/object-keys.js';
import { chapterSegments } from '../../src/text/chapter-text.js';
import {
  PAUSE_AFTER_CHAPTER,
  PAUSE_AFTER_TITLE,
  ROOM_TONE_BEFORE,
} from '../../src/workers/chapter-encoder.js';
import { createDeployment, type Deployment, FLAKY_TTS } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { REDIS_URL } from '../support/services.js';

const MAX_CHARS = 300;

/** Long chapters are synthesized in bounded segments, joined in order, with progress reported. */
describe('a chapter longer than one synthesis request', () => {
  let d: Deployment;
  let events: QueueEvents;
  let redis: Redis;
  const progress = new Map<string, number[]>();

  beforeAll(async () => {
    d = await createDeployment({
      env: (dir) => ({
        TTS_MAX_CHARS: String(MAX_CHARS),
        TTS_COMMAND: FLAKY_TTS,
        FLAKY_LOG: path.join(dir, 'calls.log'),
      }),
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    events = new QueueEvents(QUEUES.tts, { connection: redis, prefix: d.prefix });
    events.on('progress', ({ jobId, data }) => {
      progress.set(jobId, [...(progress.get(jobId) ?? []), Number(data)]);
    });
    await events.waitUntilReady();
    await d.start('api');
    await d.start('worker');
  });

  afterAll(async () => {
    await events?.close();
    redis?.disconnect();
    await d?.stop();
  });

  it('synthesizes each segment once, in order, and joins them into the chapter audio', async () => {
    const { api, dir } = d;
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');

    const calls = (await fs.readFile(path.join(dir, 'calls.log'), 'utf8'))
      .split('\n')
      .filter(Boolean);
    let totalSegments = 0;
    const texts = await fs.readFile(path.join(dir, 'objects', objectKeys.chapterTexts(body.id)));
    const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
    const ranges =
      await sql`select n, text_start, text_end from chapters where book_id = ${body.id}`;
    await sql.end();
    for (const chapter of book.chapters) {
      const range = ranges.find((r) => r.n === chapter.n);
      const text = texts.subarray(range?.text_start, range?.text_end).toString('utf8');
      // As the chapter job makes them: normalized for the book's language (text/speech-text.ts).
      // As a command engine is asked: as much as fits in a request (TtsEngine.unit).
      const { segments } = chapterSegments(chapter.title, text, MAX_CHARS, {
        language: book.language,
        lexicon: {},
      });
      totalSegments += segments.length;
      expect(segments.length).toBeGreaterThan(2);

      // One progress report per segment, rising to 100.
      const reported = progress.get(jobIds.chapter(body.id, chapter.n)) ?? [];
      expect(reported).toEqual(
        segments.map((_, i) => Math.round(((i + 1) / segments.length) * 100)),
      );

      // The chapter's audio is all its segments back to back, with room tone before, a pause
      // after the title and one at the end (the stand-in engine speaks 0.05 s per word, at least 0.5 s per request).
      const speech = segments.reduce((a, s) => a + Math.max(0.5, s.split(/\s+/).length * 0.05), 0);
      const expected = ROOM_TONE_BEFORE + speech + PAUSE_AFTER_TITLE + PAUSE_AFTER_CHAPTER;
      expect(chapter.durationSec).toBeGreaterThan(expected - 0.1);
      expect(chapter.durationSec).toBeLessThan(expected + 0.1 * segments.length + 0.2);
    }
    // Each segment went to the engine exactly once.
    expect(calls).toHaveLength(totalSegments);
  });
});
