import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { openEventStream } from '../support/event-stream.js';
import { kokoroLayout } from '../support/kokoro.js';
import { testVoicePath } from '../support/piper.js';
import { writeBook } from '../support/poison-books.js';
import { ffprobe } from '../support/probe.js';
import { startVoiceMirror, type VoiceMirror } from '../support/voice-mirror.js';

const ADMIN = 'ops-token-0123456789ab';
const ALICE = 'alice-token-0123456789';
const VOICE = 'piper:en_US-joe-medium';

/**
 * A voice installed once for a fleet: an admin asks the API, a worker downloads it from the
 * catalogue (a local mirror of the Hugging Face layout) into S3, admins' event stream shows
 * its progress, and a speech worker on another machine (its own DATA_DIR) fetches it from
 * storage and reads a book with it, with no restart anywhere.
 */
describe('a voice installed for the whole fleet', () => {
  let d: Deployment;
  let mirror: VoiceMirror;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    const hub = await fs.mkdtemp(path.join(process.env.TMPDIR ?? '/tmp', 'bookflow-hub-'));
    await kokoroLayout(path.join(hub, 'kokoro'));
    mirror = await startVoiceMirror({
      piperVoiceDir: path.dirname(testVoicePath()),
      piperKey: 'en_US-joe-medium',
      kokoroDir: path.join(hub, 'kokoro'),
    });
    d = await createDeployment({
      s3: true,
      env: () => ({
        TTS_ENGINE: 'espeak',
        API_TOKENS: `alice:${ALICE},ops:${ADMIN}:admin`,
        PIPER_VOICES_URL: mirror.piperUrl,
        KOKORO_URL: mirror.kokoroUrl,
      }),
    });
    await d.start('api');
    // The machines share nothing but the database, the queues and storage.
    await d.start('worker', { DATA_DIR: path.join(d.dir, 'light'), WORKER_QUEUES: 'voices' });
    await d.start('worker', {
      DATA_DIR: path.join(d.dir, 'speech'),
      WORKER_QUEUES: 'parse,tts,merge,finalize,preview,deliver',
    });
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    await mirror?.close();
  });

  it('is listed for admins, refused to others, and an unknown id is told the closest', async () => {
    const listed = await d.api.raw('/voices/catalogue', { headers: as(ADMIN) });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toContainEqual(
      expect.objectContaining({ id: VOICE, engine: 'piper', installed: false, install: null }),
    );
    const owner = await d.api.raw(`/voices/${VOICE}/install`, {
      method: 'POST',
      headers: as(ALICE),
    });
    expect(owner.status).toBe(403);
    const unknown = await d.api.raw('/voices/piper:en_US-joe-medum/install', {
      method: 'POST',
      headers: as(ADMIN),
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toContain(`closest in the catalogue: ${VOICE}`);
  });

  it('installs from the API, with progress on the event stream, and a book reads with it', async () => {
    const stream = openEventStream(`http://127.0.0.1:${d.env.PORT}/events`, as(ADMIN));
    const owners = openEventStream(`http://127.0.0.1:${d.env.PORT}/events`, as(ALICE));
    try {
      await stream.waitFor((e) => e.type === 'ready');
      const res = await d.api.raw(`/voices/${VOICE}/install`, {
        method: 'POST',
        headers: as(ADMIN),
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ id: VOICE, state: 'PENDING', doneBytes: 0 });
      const done = await stream.waitFor(
        (e) => e.type === 'voice' && e.data.state === 'DONE',
        120_000,
      );
      expect(done.data.doneBytes).toBe(done.data.totalBytes);
      const voiceEvents = stream.events.filter((e) => e.type === 'voice');
      expect(voiceEvents.some((e) => e.data.state === 'RUNNING')).toBe(true);
      // Only admins hear of installs.
      expect(owners.events.some((e) => e.type === 'voice')).toBe(false);
    } finally {
      stream.close();
      owners.close();
    }
    // The API offers it without a restart.
    const alice = d.api.withToken(ALICE);
    let voices: { id: string }[] = [];
    for (let i = 0; i < 100 && !voices.some((v) => v.id === VOICE); i++) {
      await new Promise((r) => setTimeout(r, 100));
      voices = ((await (await alice.raw('/voices')).json()) as { voices: { id: string }[] }).voices;
    }
    expect(voices.map((v) => v.id)).toContain(VOICE);

    const file = path.join(d.dir, 'fleet.epub');
    await writeBook(file, {
      title: 'One Voice for All',
      docs: { 'a.xhtml': '<p>The rain in Spain stays mainly in the plain.</p>' },
    });
    const { body } = await alice.upload(file, { voice: VOICE });
    const book = await alice.waitFor(body.id, ['READY', 'FAILED'], 240_000);
    expect(book.status, book.error ?? '').toBe('READY');
    const audio = await d.api.raw(`/books/${body.id}/audio`, { headers: as(ALICE) });
    const out = path.join(d.dir, 'fleet.m4b');
    await fs.writeFile(out, Buffer.from(await audio.arrayBuffer()));
    expect((await ffprobe(out)).tags?.composer).toBe('piper, voice en_US-joe-medium');
    // The speech worker, on a machine of its own, fetched the voice from storage.
    const cached = path.join(d.dir, 'speech/voices/piper/en_US-joe-medium');
    expect((await fs.readdir(cached)).sort()).toEqual([
      'MODEL_CARD',
      'en_US-joe-medium.onnx',
      'en_US-joe-medium.onnx.json',
    ]);
    const listed = await d.api.raw('/voices/catalogue', { headers: as(ADMIN) });
    expect(await listed.json()).toContainEqual(
      expect.objectContaining({
        id: VOICE,
        installed: true,
        install: expect.objectContaining({ state: 'DONE' }),
      }),
    );
  }, 300_000);
});
