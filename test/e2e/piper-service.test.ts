import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { testVoicePath } from '../support/piper.js';
import { ffprobe } from '../support/probe.js';

/** A fixture book through the service, spoken by a Piper voice in the worker process. */
describe('a book read by a Piper voice', () => {
  let d: Deployment;
  beforeAll(async () => {
    d = await createDeployment({
      env: () => ({ TTS_ENGINE: 'piper', PIPER_VOICES: testVoicePath() }),
    });
    await d.start('api');
    await d.start('worker');
  });
  afterAll(() => d?.stop());

  it('lists the voice with its language, and makes an m4b with every chapter', async () => {
    const voices = await (await d.api.raw('/voices')).json();
    expect(voices).toEqual({
      engine: 'piper',
      default: 'en_US-joe-medium',
      voices: [{ id: 'en_US-joe-medium', language: 'en', engine: 'piper' }],
    });
    const { body } = await d.api.upload(fixture('w3c-pkg-spine-order.epub'));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED'], 300_000);
    expect(book.status, book.error ?? '').toBe('READY');
    expect(book.voice).toBe('en_US-joe-medium');
    const spoken = book.chapters.filter((c) => c.status === 'DONE');
    expect(spoken.length).toBeGreaterThan(0);
    const probe = await ffprobe(path.join(d.dir, 'objects', 'books', body.id, 'audiobook.m4b'));
    expect(probe.chapters.map((c) => c.title)).toEqual(spoken.map((c) => c.title));
    expect(probe.durationSec).toBeGreaterThan(spoken.length * 1.5);
  }, 400_000);
});
