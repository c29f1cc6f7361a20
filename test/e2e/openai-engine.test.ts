import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../flows/index.js';
import type { BookBody, JobNodeBody } from '../support/api-client.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { decodeErrors, ffprobe } from '../support/probe.js';
import { type SpeechServer, startSpeechServer } from '../support/speech-server.js';

/**
 * The OpenAI-compatible engine against a local speech server (real HTTP, real
 * audio), with an API and two worker processes sharing one rate limit.
 */
describe('books read by an OpenAI-compatible speech server', () => {
  let d: Deployment;
  let api: Deployment['api'];
  let dir: string;
  let speech: SpeechServer;

  beforeAll(async () => {
    speech = await startSpeechServer();
    d = await createDeployment({
      env: () => ({
        TTS_ENGINE: 'openai',
        TTS_BASE_URL: speech.url,
        TTS_API_KEY: 'test-key',
        TTS_MODEL: 'tts-test',
        TTS_VOICES: 'alloy,nova,ef_dora@es',
        TTS_TIMEOUT: '2',
        TTS_RATE_LIMIT: '1/1s',
        TTS_CONCURRENCY: '2',
      }),
    });
    ({ api, dir } = d);
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
  });

  afterAll(async () => {
    await d?.stop();
    await speech?.close();
  });

  const download = async (p: string, name: string) => {
    const res = await api.raw(p);
    expect(res.status).toBe(200);
    const file = path.join(dir, name);
    await fs.writeFile(file, Buffer.from(await res.arrayBuffer()));
    return { file, type: res.headers.get('content-type') };
  };
  const requestsFor = (input: string) => speech.requests.filter((r) => r.body.input === input);

  it('lists the voices it offers', async () => {
    const res = await api.raw('/voices');
    expect(await res.json()).toMatchObject({
      default: 'alloy',
      voices: [
        { id: 'alloy', language: null },
        { id: 'nova', language: null },
        { id: 'ef_dora', language: 'es' },
      ],
    });
  });

  it('refuses a voice, speed or format it does not offer', async () => {
    for (const [fields, message] of [
      [{ voice: 'bob' }, /voice "bob" is not offered; GET \/voices lists: alloy, nova, ef_dora/],
      [{ speed: '9' }, /speed must be a number from 0.5 to 2/],
      [{ format: 'ogg' }, /format must be one of m4b, mp3/],
    ] as const) {
      const res = await api.upload(fixture('idpf-hefty-water.epub'), fields);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    }
  });

  it('makes an m4b in the voice chosen at upload, with tags, cover and one chapter per chapter', async () => {
    const { body } = await api.upload(fixture('idpf-wasteland.epub'), {
      voice: 'nova',
      speed: '1.25',
    });
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book).toMatchObject({ status: 'READY', voice: 'nova', speed: 1.25, format: 'm4b' });
    const mine = speech.requests.filter((r) => r.body.voice === 'nova');
    expect(mine.length).toBeGreaterThan(5);
    for (const r of mine) {
      expect(r.body).toMatchObject({ model: 'tts-test', response_format: 'wav', speed: 1.25 });
      expect(r.auth).toBe('Bearer test-key');
    }

    const { file, type } = await download(`/books/${body.id}/audio`, 'wasteland.m4b');
    expect(type).toBe('audio/mp4');
    const probe = await ffprobe(file);
    const spoken = book.chapters.filter((c) => c.status === 'DONE');
    expect(probe.codecs).toEqual(['aac']);
    expect(probe.cover).toBe('mjpeg');
    expect(probe.chapters.map((c) => c.title)).toEqual(spoken.map((c) => c.title));
    expect(probe.tags).toMatchObject({
      title: 'The Waste Land',
      album: 'The Waste Land',
      artist: 'T.S. Eliot',
    });
    expect(probe.tags.composer).toMatch(/nova/);
    expect(await decodeErrors(file)).toBe('');
  });

  it('makes an mp3 with ID3 chapters and the cover', async () => {
    const { body } = await api.upload(fixture('idpf-wasteland.epub'), {
      format: 'mp3',
      voice: 'alloy',
    });
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book).toMatchObject({ status: 'READY', format: 'mp3' });
    const { file, type } = await download(`/books/${body.id}/audio`, 'wasteland.mp3');
    expect(type).toBe('audio/mpeg');
    const probe = await ffprobe(file);
    expect(probe.container).toBe('mp3');
    expect(probe.codecs).toEqual(['mp3']);
    expect(probe.cover).toBe('mjpeg');
    expect(probe.coverComment).toBe('Cover (front)');
    expect(probe.chapters.map((c) => c.title)).toEqual(
      book.chapters.filter((c) => c.status === 'DONE').map((c) => c.title),
    );
    expect(probe.tags.title).toBe('The Waste Land');
    expect(probe.tags.composer).toMatch(/alloy/);
    expect(await decodeErrors(file)).toBe('');
  });

  it('sends the speech server the texts with the book’s lexicon applied', async () => {
    const lexicon = JSON.stringify({ water: 'wah-ter', H2O: 'H two O' });
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'), { lexicon });
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    expect(book.lexicon).toEqual({ water: 'wah-ter', H2O: 'H two O' });
    const sent = speech.requests.filter((r) => r.at >= Date.parse(book.createdAt));
    const said = sent.map((r) => r.body.input).join('\n');
    expect(said).toMatch(/wah-ter/i);
    expect(said).not.toMatch(/\bwater\b/i);
  });

  it('reviewed, normalized, with the lexicon: the server hears the chosen chapters as a listener would', async () => {
    const lexicon = JSON.stringify({ Georgia: 'Jor-ja' });
    const { body } = await api.upload(fixture('idpf-georgia-pls-ssml.epub'), {
      autostart: 'false',
      lexicon,
    });
    const review = await api.waitFor(body.id, ['REVIEW', 'FAILED']);
    expect(review.status).toBe('REVIEW');
    const keep = new Map([
      [3, 'Minerals'],
      [6, 'People'],
      [9, 'Finance'],
    ]);
    for (const c of review.chapters) {
      const edit = keep.has(c.n) ? { title: keep.get(c.n) } : { included: false };
      const res = await api.raw(`/books/${body.id}/chapters/${c.n}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(edit),
      });
      expect(res.status).toBe(200);
    }
    const startedAt = Date.now();
    expect((await api.post(`/books/${body.id}/start`)).body).toMatchObject({ chapters: 3 });
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');

    const { file } = await download(`/books/${body.id}/audio`, 'georgia.m4b');
    expect((await ffprobe(file)).chapters.map((c) => c.title)).toEqual([...keep.values()]);
    const said = speech.requests.filter((r) => r.at >= startedAt).map((r) => r.body.input);
    // Each title is said first: as the book writes it where it is the chapter's own heading
    // ("Minerals."), the new one where it was renamed (its own heading is then read with the text).
    expect(said).toEqual(expect.arrayContaining(['Minerals.', 'People', 'Finance.']));
    const all = said.join('\n');
    // Chapter 6: "an increase of 19.1%"; chapter 3: "valued at $56,207".
    expect(all).toMatch(/an increase of nineteen point one percent/);
    expect(all).toMatch(/fifty-six thousand two hundred and seven dollars/);
    expect(all).not.toMatch(/[$%]|\d/);
    expect(all).toMatch(/Jor-ja/);
    expect(all).not.toMatch(/\bGeorgia\b/);
    expect(all).not.toMatch(/The principal occupation/); // chapter 4, left out
  });

  it('serves each chapter’s audio on its own', async () => {
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    const chapter = book.chapters[1] as BookBody['chapters'][number];
    const { file, type } = await download(`/books/${body.id}/chapters/2/audio`, 'chapter2.m4a');
    expect(type).toBe('audio/mp4');
    const probe = await ffprobe(file);
    expect(Math.abs(probe.durationSec - (chapter.durationSec ?? 0))).toBeLessThan(0.1);
    expect((await api.raw(`/books/${body.id}/chapters/9/audio`)).status).toBe(404);
  });

  it('waits out a 429 as long as Retry-After says, without failing the chapter', async () => {
    speech.behave = (r, seen) =>
      r.body.input === 'The Source' && seen === 0
        ? {
            status: 429,
            body: { error: { message: 'slow down' } },
            headers: { 'retry-after': '1' },
          }
        : 'audio';
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    speech.behave = () => 'audio';
    expect(book.status).toBe('READY');
    expect(book.chapters[1]).toMatchObject({ status: 'DONE', attempts: 1 });
    const tries = requestsFor('The Source').slice(-2);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('fails the chapter at once on a 400, with the server’s message', async () => {
    speech.behave = (r) =>
      r.body.input === 'The Source'
        ? { status: 400, body: { error: { message: 'input contains unsupported characters' } } }
        : 'audio';
    const before = requestsFor('The Source').length;
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    speech.behave = () => 'audio';
    expect(book.status).toBe('FAILED');
    expect(book.chapters[1]).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(book.chapters[1]?.error).toBe(
      'the speech server refused the request (400): input contains unsupported characters',
    );
    expect(requestsFor('The Source').length - before).toBe(1);
  });

  it('times out a hung request and retries the chapter', async () => {
    speech.behave = (r, seen) => (r.body.input === 'The Source' && seen === 0 ? 'stall' : 'audio');
    // A fresh input, so "seen" starts from zero: this book's chapter 2 opens with another title.
    speech.requests.splice(0);
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    speech.behave = () => 'audio';
    expect(book.status).toBe('READY');
    expect(book.chapters[1]).toMatchObject({ status: 'DONE', attempts: 2 });
  });

  it('starts one chapter a second across both workers (TTS_RATE_LIMIT=1/1s)', async () => {
    speech.requests.splice(0);
    const { body } = await api.upload(fixture('idpf-georgia-pls-ssml.epub'));
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    // When each chapter job became active, as the job tree records it.
    const merge = (await api.jobs(body.id)).body.children[0] as JobNodeBody;
    const starts = merge.children
      .filter((c) => c.name === JOBS.generateAudio)
      .map((c) => c.timestamps.processed as number);
    expect(starts).toHaveLength(book.chapters.length);
    starts.sort((a, b) => a - b);
    // BullMQ's limiter counts in fixed windows, one start per window here: any three
    // starts span a whole window, and ten chapters take eight windows or more to start,
    // though four slots (two workers × two) were free all along.
    for (let i = 2; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 2] as number)).toBeGreaterThanOrEqual(950);
    }
    expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(7900);
  });
});
