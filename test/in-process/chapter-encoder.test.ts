import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENE_BREAK } from '../../src/text/segments.js';
import type { TtsSession } from '../../src/tts/tts-engine.js';
import {
  encodeChapter,
  PAUSE_AFTER_CHAPTER,
  PAUSE_AFTER_TITLE,
  PAUSE_AT_SCENE_BREAK,
  ROOM_TONE_BEFORE,
} from '../../src/workers/chapter-encoder.js';
import { ffprobe } from '../support/probe.js';
import { tempDir } from '../support/services.js';

const RATE = 16000;

/** Half a second of a quiet tone for every text, remembering what it was asked to say. */
function session(asked: string[], rate = RATE): TtsSession {
  return {
    synthesize: async (text) => {
      asked.push(text);
      const data = Buffer.alloc(rate); // 0.5 s of 16-bit mono
      for (let i = 0; i < rate / 2; i++)
        data.writeInt16LE(Math.round(3000 * Math.sin(i / 8)), i * 2);
      return { sampleRate: rate, channels: 1, data };
    },
    close: () => {},
  };
}

describe('a chapter with a scene break', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2])(
    'is a pause of its own, never sent to the engine (lookahead %i)',
    async (lookahead) => {
      dir ??= await tempDir('bookflow-encoder-');
      const asked: string[] = [];
      const file = path.join(dir, `chapter-${lookahead}.m4a`);
      await encodeChapter({
        session: session(asked),
        segments: ['Chapter One', 'He left.', SCENE_BREAK, 'Morning came.'],
        format: 'm4b',
        file,
        onSegment: async () => {},
        lookahead,
      });
      expect(asked).toEqual(['Chapter One', 'He left.', 'Morning came.']);
      const expected =
        ROOM_TONE_BEFORE + 3 * 0.5 + PAUSE_AFTER_TITLE + PAUSE_AT_SCENE_BREAK + PAUSE_AFTER_CHAPTER;
      expect((await ffprobe(file)).durationSec).toBeCloseTo(expected, 1);
    },
  );
});

describe('a chapter read by two voices', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('sends each segment to its voice, the second at another rate brought to the first', async () => {
    dir = await tempDir('bookflow-encoder-');
    const told: string[] = [];
    const said: string[] = [];
    const file = path.join(dir, 'two-voices.m4a');
    const starts = await encodeChapter({
      session: session(told),
      // A dialogue voice of another engine: 24,000 Hz beside the narration's 16,000.
      dialogue: { session: session(said, 24000), says: [false, true, false, true] },
      segments: ['Chapter One', '"Hello,"', 'said she.', '"Goodbye."'],
      format: 'm4b',
      file,
      onSegment: async () => {},
    });
    expect(told).toEqual(['Chapter One', 'said she.']);
    expect(said).toEqual(['"Hello,"', '"Goodbye."']);
    // Every segment half a second long at the chapter's rate: the starts are exact.
    const body = ROOM_TONE_BEFORE + 0.5 + PAUSE_AFTER_TITLE;
    expect(starts).toEqual(
      [ROOM_TONE_BEFORE, body, body + 0.5, body + 1].map((s) => expect.closeTo(s, 3)),
    );
    const expected = ROOM_TONE_BEFORE + 4 * 0.5 + PAUSE_AFTER_TITLE + PAUSE_AFTER_CHAPTER;
    expect((await ffprobe(file)).durationSec).toBeCloseTo(expected, 1);
  });
});
