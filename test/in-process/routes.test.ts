import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS, QUEUES } from '../../flows/index.js';
import { buildProbeApp } from '../../src/http/probe-app.js';
import { createSilenceEngine } from '../../src/tts/silence-engine.js';
import { fixture } from '../support/fixtures.js';
import {
  bookRoutes,
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';
const ADMIN = 'admin-token-0123456789';
const SCRAPER = 'scraper-token-0123456789';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('routes: access, ownership and error mapping, in process', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  let ready: string;
  let failed: string;

  const upload = (file: string, token = ALICE) => injectUpload(t.app, file, auth(token));

  async function settled(id: string) {
    for (let i = 0; i < 600; i++) {
      const book = (await t.app.inject({ url: `/books/${id}`, headers: auth(ALICE) })).json();
      if (['READY', 'FAILED'].includes(book.status)) return book;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`book ${id} did not settle`);
  }

  beforeAll(async () => {
    t = await buildTestApp({
      maxUploadBytes: 1024 * 1024,
      metricsToken: SCRAPER,
      deliveryTargets: ['abs'],
      tokens: [
        { owner: 'alice', token: ALICE, admin: false },
        { owner: 'bob', token: BOB, admin: false },
        { owner: 'ops', token: ADMIN, admin: true },
      ],
    });
    workers = await startInProcessWorkers(t, createSilenceEngine());
    ready = (await upload(fixture('idpf-wasteland.epub'))).json().id;
    failed = (await upload(fixture('broken/empty-spine.epub'))).json().id;
    expect((await settled(ready)).status).toBe('READY');
    expect((await settled(failed)).status).toBe('FAILED');
  });
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  it('signs a browser in with a token kept in a session cookie, and holds it to its own origin', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/session',
      payload: { token: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await t.app.inject({ method: 'POST', url: '/session', payload: { token: ALICE } });
    expect(ok.json()).toEqual({
      owner: 'alice',
      admin: false,
      tokensRequired: true,
      deliveryTargets: ['abs'],
    });
    const cookie = ok.cookies[0];
    expect(cookie).toMatchObject({ name: 'bookflow_token', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.maxAge).toBeUndefined(); // gone when the browser closes
    const headers = { cookie: `bookflow_token=${cookie?.value}` };
    expect((await t.app.inject({ url: '/session', headers })).json().owner).toBe('alice');
    expect((await t.app.inject({ url: `/books/${ready}`, headers })).statusCode).toBe(200);
    const retry = { method: 'POST' as const, url: `/books/${ready}/retry` };
    const foreign = await t.app.inject({
      ...retry,
      headers: { ...headers, host: 'localhost:3000', origin: 'http://localhost:8080' },
    });
    expect(foreign.statusCode).toBe(403);
    const own = await t.app.inject({
      ...retry,
      headers: { ...headers, host: 'localhost:3000', origin: 'http://localhost:3000' },
    });
    expect(own.statusCode).toBe(409); // past the origin check: nothing of a READY book to retry
    const out = await t.app.inject({ method: 'DELETE', url: '/session', headers });
    expect(out.statusCode).toBe(204);
    expect(out.cookies[0]?.value).toBe('');
  });

  it('asks for a token on every route but /health', async () => {
    expect((await t.app.inject('/health')).statusCode).toBe(200);
    for (const [method, url] of [
      ...bookRoutes(ready),
      ['GET', '/books'],
      ['POST', '/books'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it("answers 404 for another owner's book on every route, and lets an admin in", async () => {
    for (const [method, url] of bookRoutes(ready)) {
      const res = await t.app.inject({ method, url, headers: auth(BOB) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().message).toBe(`book ${ready} not found`);
    }
    const list = (await t.app.inject({ url: '/books', headers: auth(BOB) })).json();
    expect(list.books).toEqual([]);
    expect((await t.app.inject({ url: `/books/${ready}`, headers: auth(ADMIN) })).statusCode).toBe(
      200,
    );
    expect(
      (await t.app.inject({ url: `/books/${ready}/jobs`, headers: auth(ADMIN) })).statusCode,
    ).toBe(200);
  });

  it('maps each kind of failure to its status, with one body shape', async () => {
    const cases: [number, Promise<{ statusCode: number; json(): { message: string } }>, RegExp][] =
      [
        [400, t.app.inject({ url: '/books?limit=0', headers: auth(ALICE) }), /limit/],
        [404, t.app.inject({ url: '/books/nope', headers: auth(ALICE) }), /book nope not found/],
        [
          404,
          t.app.inject({ url: `/books/${ready}/chapters/99/audio`, headers: auth(ALICE) }),
          /chapter 99/,
        ],
        [404, t.app.inject({ url: '/no/such/route', headers: auth(ALICE) }), /no route/],
        [
          409,
          t.app.inject({
            method: 'POST',
            url: `/books/${ready}/chapters/1/retry`,
            headers: auth(ALICE),
          }),
          /has not failed/,
        ],
        [
          409,
          t.app.inject({ url: `/books/${failed}/audio`, headers: auth(ALICE) }),
          /not ready yet \(status FAILED\)/,
        ],
        [
          416,
          t.app.inject({
            url: `/books/${ready}/audio`,
            headers: { ...auth(ALICE), range: 'bytes=999999999-' },
          }),
          /range not satisfiable/,
        ],
        [415, upload(fixture('broken/not-a-zip.epub')), /not a valid EPUB/],
        [413, upload(fixture('idpf-moby-dick.epub')), /larger than the 1 MB limit/],
      ];
    for (const [status, pending, message] of cases) {
      const res = await pending;
      expect(res.statusCode, String(message)).toBe(status);
      expect(Object.keys(res.json()).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(res.json().message).toMatch(message);
    }
  });

  it('serves byte ranges of the audiobook', async () => {
    const res = await t.app.inject({
      url: `/books/${ready}/audio`,
      headers: { ...auth(ALICE), range: 'bytes=0-99' },
    });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toMatch(/^bytes 0-99\/\d+$/);
    expect(res.rawPayload.length).toBe(100);
  });

  it('answers the details a client trips on', async () => {
    const get = (url: string, token = ALICE) => t.app.inject({ url, headers: auth(token) });
    const put = await t.app.inject({ method: 'PUT', url: '/books', headers: auth(ALICE) });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toMatch(/^(POST, GET|GET, POST)$/);
    // Methods no route takes (QUERY, TRACE) too, before a body would be parsed.
    // (methods light-my-request's types leave out)
    const other = (method: string, url: string) =>
      t.app.inject({ method: method as 'GET', url, headers: auth(ALICE) });
    for (const method of ['QUERY', 'TRACE']) {
      const res = await other(method, `/books/${ready}`);
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toMatch(/^(GET, DELETE|DELETE, GET)$/);
    }
    expect((await other('TRACE', '/voices/catalogue')).headers.allow).toBe('GET');
    // An overlong id is its schema's to refuse (400, documented), not the router's (414).
    expect((await get(`/books/${'x'.repeat(300)}`)).statusCode).toBe(400);
    const long = encodeURIComponent('\u{10FFFF}'.repeat(300)); // 600 UTF-16 units decoded
    expect((await get(`/voices/${long}/sample`)).statusCode).toBe(400);
    expect((await get('/books/')).json().books.length).toBeGreaterThan(0);
    const readyOnly = (await get('/books?status=READY')).json().books;
    expect(readyOnly.map((b: { id: string }) => b.id)).toEqual([ready]);
    expect((await get('/books?status=NOPE')).statusCode).toBe(400);
    // A typo is told, not ignored (which would list every book); a JSON body is not coerced.
    const typo = await get('/books?staus=READY');
    expect([typo.statusCode, typo.json().message]).toEqual([400, expect.stringMatching(/staus/)]);
    const lexicon = (entries: unknown) =>
      t.app.inject({ method: 'PUT', url: '/lexicon', headers: auth(ALICE), payload: { entries } });
    expect((await lexicon({ Tanaka: null })).statusCode).toBe(400);
    expect((await lexicon({ Tanaka: 'Tah-nah-kah' })).json().entries).toEqual({
      Tanaka: 'Tah-nah-kah',
    });
    // A `__proto__` key is dropped, not the whole valid body refused as "not valid JSON".
    const poisoned = await t.app.inject({
      method: 'PUT',
      url: '/lexicon',
      headers: { ...auth(ALICE), 'content-type': 'application/json' },
      payload: '{"entries": {"__proto__": "x", "Tanaka": "Tah-nah-kah"}}',
    });
    expect([poisoned.statusCode, poisoned.json().entries]).toEqual([
      200,
      { Tanaka: 'Tah-nah-kah' },
    ]);
    const range = await t.app.inject({
      url: `/books/${ready}/audio`,
      headers: { ...auth(ALICE), range: 'bytes=999999999-' },
    });
    expect(range.headers['content-range']).toMatch(/^bytes \*\/\d+$/);
    const audio = await get(`/books/${ready}/audio`);
    expect(audio.headers['content-disposition']).toMatch(
      /^attachment; filename="[ -~]+\.m4b"; filename\*=UTF-8''/,
    );
  });

  it('tells a client that did not send a multipart form how to upload', async () => {
    const post = (headers: Record<string, string>, payload?: string | Buffer) =>
      t.app.inject({
        method: 'POST',
        url: '/books',
        headers: { ...auth(ALICE), ...headers },
        payload,
      });
    for (const res of [
      await post({}),
      await post({ 'content-type': 'application/json' }, '{"file":"x"}'),
      await post({ 'content-type': 'application/json' }, ''),
      await post(
        { 'content-type': 'application/epub+zip' },
        await fs.readFile(fixture('idpf-hefty-water.epub')),
      ),
    ]) {
      expect(res.statusCode).toBe(415);
      expect(res.json().message).toMatch(/multipart\/form-data with the file in the field "file"/);
    }
    const form = new FormData();
    const epub = new Blob([await fs.readFile(fixture('idpf-hefty-water.epub'))]);
    form.append('file', epub, 'a.epub');
    form.append('file', epub, 'b.epub');
    const req = new Request('http://x/books', { method: 'POST', body: form });
    const two = await post(Object.fromEntries(req.headers), Buffer.from(await req.arrayBuffer()));
    expect(two.statusCode).toBe(400);
    expect(two.json().message).toMatch(/^one file per upload/);
  });

  it('answers probes without a token, with details for admins', async () => {
    const anyone = (await t.app.inject('/ready')).json();
    expect(anyone).toEqual({ status: 'ready', engine: { state: 'up' } });
    const admin = (await t.app.inject({ url: '/ready', headers: auth(ADMIN) })).json();
    expect(admin.checks).toEqual({ database: 'ok', queues: 'ok', storage: 'ok', engine: 'ok' });
  });

  it('answers 422 when an Idempotency-Key comes back with another upload', async () => {
    const key = { ...auth(ALICE), 'idempotency-key': 'k-422' };
    const first = await injectUpload(t.app, fixture('idpf-hefty-water.epub'), key);
    expect(first.statusCode).toBe(202);
    const again = await injectUpload(t.app, fixture('idpf-hefty-water.epub'), key);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const other = await injectUpload(t.app, fixture('w3c-pkg-spine-order.epub'), key);
    expect(other.statusCode).toBe(422);
    expect(other.json().message).toMatch(/used for a different upload/);
  });

  it('documents every route (OpenAPI 3.1) and serves its docs page itself', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/books',
      '/books/{id}',
      '/books/{id}/audio',
      '/books/{id}/chapters/{n}',
      '/books/{id}/chapters/{n}/audio',
      '/books/{id}/chapters/{n}/preview',
      '/books/{id}/chapters/{n}/retry',
      '/books/{id}/chapters/{n}/subtitles.srt',
      '/books/{id}/chapters/{n}/subtitles.vtt',
      '/books/{id}/cover',
      '/books/{id}/deliveries',
      '/books/{id}/events',
      '/books/{id}/jobs',
      '/books/{id}/parts.zip',
      '/books/{id}/parts/{n}/audio',
      '/books/{id}/readalong.epub',
      '/books/{id}/retry',
      '/books/{id}/start',
      '/books/{id}/subtitles.srt',
      '/books/{id}/subtitles.vtt',
      '/events',
      '/health',
      '/lexicon',
      '/metrics',
      '/ready',
      '/session',
      '/voices',
      '/voices/catalogue',
      '/voices/{id}/install',
      '/voices/{id}/sample',
    ]);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(Object.keys(doc.paths['/books/{id}'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401', '404', '429']),
    );
    expect(doc.paths['/books'].post.requestBody.content['multipart/form-data']).toBeDefined();
    expect(doc.paths['/books'].post.requestBody.required).toBe(true);
    // Routes that take no body at all as {} say their body is optional.
    for (const p of ['/books/{id}/deliveries', '/books/{id}/chapters/{n}/preview'])
      expect(doc.paths[p].post.requestBody.required, p).toBe(false);
    expect(JSON.stringify(doc)).not.toContain('x-body-optional');
    const page = await t.app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\//); // every asset from the app itself
    expect((await t.app.inject('/docs/static/swagger-ui-bundle.js')).statusCode).toBe(200);
  });

  it('serves Prometheus metrics to admins and the metrics token only', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics', headers: auth(ALICE) })).statusCode).toBe(401);
    const scraped = await t.app.inject({ url: '/metrics', headers: auth(SCRAPER) });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain/);
    const text = (await t.app.inject({ url: '/metrics', headers: auth(ADMIN) })).body;
    for (const line of [
      /^bookflow_books\{status="READY"\} [1-9]/m,
      /^bookflow_books\{status="FAILED"\} [1-9]/m,
      /^bookflow_jobs\{queue="tts",state="completed"\} \d+/m,
      /^bookflow_chapter_synthesis_seconds_count [1-9]/m,
      /^bookflow_chapter_audio_seconds_sum \d/m,
      /^bookflow_merge_seconds_count [1-9]/m,
      new RegExp(
        `^bookflow_job_failures_total\\{job_name="${JOBS.parseEpub}",class="input"\\} [1-9]`,
        'm',
      ),
      /^bookflow_http_request_duration_seconds_count\{method="GET",route="\/books\/:id",status="200"\} [1-9]/m,
      /^bookflow_nodejs_eventloop_lag_seconds /m,
      /^bookflow_process_resident_memory_bytes /m,
      // Every status, with no book too; Node's handles by type (no gauge named `_total`).
      /^bookflow_books\{status="CANCELLED"\} 0$/m,
      /^bookflow_nodejs_active_handles\{type="\w+"\} \d+$/m,
    ]) {
      expect(text).toMatch(line);
    }
    // Prometheus' own checker (Debian's `prometheus` package), on the API's metrics and on
    // what a worker's probe port serves; no label Prometheus sets itself (job, instance).
    const up = async () => {};
    const readiness = {
      probes: { database: up, queues: up, storage: up },
      engineOutage: async () => undefined,
    };
    const worker = await buildProbeApp({ readiness, metricsToken: SCRAPER });
    const served = (await worker.inject({ url: '/metrics', headers: auth(SCRAPER) })).body;
    await worker.close();
    for (const metrics of [text, served]) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: metrics });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
      expect(metrics).not.toMatch(/[{,](?:job|instance)="/);
    }
  });

  it("shows the queue dashboard to admins only, with a book's flow", async () => {
    expect((await t.app.inject('/admin/queues')).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/admin/queues', headers: auth(ALICE) })).statusCode).toBe(
      403,
    );
    const page = await t.app.inject({ url: '/admin/queues', headers: auth(ADMIN) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // The failed book's tree is still in the queues: its parse job shows, as a child of the flow.
    const api = await t.app.inject({
      url: `/admin/queues/api/queues?activeQueue=${QUEUES.parse}&status=failed&page=1`,
      headers: auth(ADMIN),
    });
    expect(api.statusCode).toBe(200);
    const parse = api.json().queues.find((q: { name: string }) => q.name === QUEUES.parse);
    const job = parse.jobs.find((j: { id: string }) => j.id === `${failed}-parse`);
    expect(job).toMatchObject({
      name: JOBS.parseEpub,
      failedReason: expect.stringMatching(/spine is empty/),
    });
    expect(job.opts.parent.id).toBe(`${failed}-merge`);
  });
});
