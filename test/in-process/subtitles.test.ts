import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBinaries } from '../../src/audio/ffmpeg.js';
import { ROOM_TONE_BEFORE } from '../../src/workers/chapter-encoder.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';
import { createToneEngine } from '../support/test-engine.js';

const RATE = 16000;

/** Where sound begins after at least 0.15 s of silence, measured in 10 ms windows of the decoded audio. */
async function onsets(file: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)(
    ffmpegBinaries().ffmpeg,
    ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-ar', String(RATE), '-'],
    { encoding: 'buffer', maxBuffer: 1 << 30 },
  );
  const window = RATE / 100;
  const found: number[] = [];
  let quiet = 15; // the start counts as after silence
  for (let w = 0; (w + 1) * window * 2 <= stdout.length; w++) {
    let peak = 0;
    for (let i = 0; i < window; i++)
      peak = Math.max(peak, Math.abs(stdout.readInt16LE((w * window + i) * 2)));
    if (peak < 500) quiet += 1;
    else {
      if (quiet >= 15) found.push(w / 100);
      quiet = 0;
    }
  }
  return found;
}

const cueStarts = (vtt: string) =>
  [...vtt.matchAll(/^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> /gm)].map(
    ([, h, m, s, ms]) => Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000,
  );

/** GET /books/:id/subtitles.vtt|srt and each chapter's, against the audio they were measured in. */
describe.each(['sentence', 'packed'] as const)(
  'subtitles from the timings measured while the audio was made (%s)',
  (unit) => {
    let t: TestApp;
    let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
    let id: string;

    beforeAll(async () => {
      t = await buildTestApp();
      workers = await startInProcessWorkers(t, createToneEngine(unit));
      id = (await injectUpload(t.app, fixture('idpf-hefty-water.epub'))).json().id;
      for (let i = 0; i < 600; i++) {
        if ((await t.app.inject(`/books/${id}`)).json().status === 'READY') return;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    afterAll(async () => {
      await workers?.stop();
      await t?.close();
    });

    it('starts every cue where its sentence is heard, and ends the last with the audiobook', async () => {
      const file = path.join(t.dir, 'book.m4b');
      await fs.writeFile(file, (await t.app.inject(`/books/${id}/audio`)).rawPayload);
      const vtt = await t.app.inject(`/books/${id}/subtitles.vtt`);
      expect(vtt.statusCode).toBe(200);
      expect(vtt.headers['content-type']).toBe('text/vtt; charset=utf-8');
      // Its sound begins after the room tone and the encoder's priming frame (64 ms at 16 kHz).
      expect(vtt.body).toMatch(/^WEBVTT\n\n1\n00:00:00\.814 --> /);
      expect(vtt.body).toMatch(/\nThe Switch\n/);
      expect(vtt.body).toMatch(
        /\nBelow is a rendition of the source code of the switch element\.\n/,
      );

      const starts = cueStarts(vtt.body);
      const heard = await onsets(file);
      expect(starts.length).toBeGreaterThan(20);
      expect(heard).toHaveLength(starts.length);
      for (const [i, start] of starts.entries())
        expect(Math.abs(start - (heard[i] as number))).toBeLessThan(0.05);

      const ends = [...vtt.body.matchAll(/ --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)/g)].map(
        ([, h, m, s, ms]) => Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000,
      );
      const probe = await ffprobe(file);
      expect(Math.abs((ends.at(-1) as number) - probe.durationSec)).toBeLessThan(0.1);
      // The chapter markers too: each chapter's title is heard once its room tone is over.
      for (const title of ['The Switch', 'The Source', 'Hefty Ruby Water']) {
        const mark = probe.chapters.find((c) => c.title === title)?.start ?? -1;
        const sinceTone = (h: number) => h - mark - ROOM_TONE_BEFORE;
        expect(heard.some((h) => sinceTone(h) >= 0 && sinceTone(h) < 0.1)).toBe(true);
      }
    });

    it('serves SubRip too, and each chapter on its own from its start', async () => {
      const srt = await t.app.inject(`/books/${id}/subtitles.srt`);
      expect(srt.headers['content-type']).toBe('application/x-subrip; charset=utf-8');
      expect(srt.body).toMatch(/^1\n00:00:00,814 --> 00:00:\d\d,\d\d\d\nThe Switch\n\n2\n/);
      const chapter = await t.app.inject(`/books/${id}/chapters/2/subtitles.vtt`);
      expect(chapter.statusCode).toBe(200);
      expect(chapter.body).toMatch(
        /^WEBVTT\n\n1\n00:00:00\.750 --> \d\d:\d\d:\d\d\.\d\d\d\nThe Source\n/,
      );
      expect((await t.app.inject(`/books/${id}/chapters/9/subtitles.vtt`)).statusCode).toBe(404);
    });

    it('answers 409 before the book is READY', async () => {
      const review = await injectUpload(
        t.app,
        fixture('idpf-hefty-water.epub'),
        {},
        { autostart: 'false' },
      );
      const res = await t.app.inject(`/books/${review.json().id}/subtitles.vtt`);
      expect(res.statusCode).toBe(409);
    });
  },
);
