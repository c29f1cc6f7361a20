import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from './support/deployment.js';
import { fixture } from './support/fixtures.js';
import { ffprobe } from './support/probe.js';

/** TTS_ENGINE=silence runs a book through every step with no synthesis: a deployment check. */
describe('the dry-run engine', () => {
  let d: Deployment;

  beforeAll(async () => {
    d = await createDeployment({ env: () => ({ TTS_ENGINE: 'silence' }) });
    await d.start('api');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  it('brings a book to READY with a short silence per chapter', async () => {
    const { body } = await d.api.upload(fixture('idpf-wasteland.epub'));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    const spoken = book.chapters.filter((c) => c.status === 'DONE');
    expect(spoken).toHaveLength(5);
    for (const c of spoken) expect(c.durationSec).toBeCloseTo(0.5, 0);
    const probe = await ffprobe(path.join(d.dir, 'objects', 'books', body.id, 'audiobook.m4b'));
    expect(probe.chapters.map((c) => c.title)).toEqual(spoken.map((c) => c.title));
  });
});
