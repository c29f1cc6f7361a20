import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS, QUEUE_KEYS } from '../../flows/index.js';
import { loadConfig } from '../../src/config.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { freePort } from '../support/processes.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';
const OPS = 'ops-token-0123456789abc';

/** Who may see what, with tokens from API_TOKENS, against a real API and worker. */
describe('access by bearer token', () => {
  let d: Deployment;
  let alice: Deployment['api'];
  let bob: Deployment['api'];
  let ops: Deployment['api'];
  let aliceBook: string;

  beforeAll(async () => {
    d = await createDeployment({
      env: () => ({
        TTS_ENGINE: 'silence',
        API_TOKENS: `alice:${ALICE},bob:${BOB},ops:${OPS}:admin`,
      }),
    });
    await d.start('api');
    await d.start('worker');
    alice = d.api.withToken(ALICE);
    bob = d.api.withToken(BOB);
    ops = d.api.withToken(OPS);
    const { status, body } = await alice.upload(fixture('idpf-wasteland.epub'));
    expect(status).toBe(202);
    aliceBook = body.id;
  });

  afterAll(() => d?.stop());

  it('asks for a token on every route but the probes', async () => {
    expect((await d.api.raw('/health')).status).toBe(200);
    // /ready answers anyone (orchestrators probe without tokens), with the details for admins only.
    expect(await (await d.api.raw('/ready')).json()).toEqual({
      status: 'ready',
      engine: { state: 'up' },
    });
    for (const p of ['/books', '/voices', `/books/${aliceBook}`]) {
      const res = await d.api.raw(p);
      expect(res.status, p).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const wrong = await d.api.raw('/books', { headers: { authorization: `Bearer ${ALICE}x` } });
    expect(wrong.status).toBe(401);
    expect((await d.api.raw('/books', { method: 'POST' })).status).toBe(401);
  });

  it("answers 404 for another owner's book, and lets an admin see and manage it", async () => {
    expect((await alice.waitFor(aliceBook, ['READY', 'FAILED'])).status).toBe('READY');
    for (const [method, p] of [
      ['GET', `/books/${aliceBook}`],
      ['GET', `/books/${aliceBook}/jobs`],
      ['GET', `/books/${aliceBook}/audio`],
      ['GET', `/books/${aliceBook}/chapters/1/audio`],
      ['POST', `/books/${aliceBook}/retry`],
      ['POST', `/books/${aliceBook}/chapters/1/retry`],
      ['DELETE', `/books/${aliceBook}`],
    ] as const) {
      expect((await bob.raw(p, { method })).status, `${method} ${p}`).toBe(404);
    }
    const ids = async (api: Deployment['api']) =>
      ((await (await api.raw('/books')).json()) as { books: { id: string }[] }).books.map(
        (b) => b.id,
      );
    expect(await ids(bob)).not.toContain(aliceBook);
    expect(await ids(alice)).toContain(aliceBook);
    expect(await ids(ops)).toContain(aliceBook);
    expect((await ops.get(aliceBook)).status).toBe(200);
    // Admins may retry anyone's book: this one has nothing failed, so 409 rather than 404.
    expect((await ops.raw(`/books/${aliceBook}/retry`, { method: 'POST' })).status).toBe(409);
  });

  it('tells a READY book’s job tree from its records once its jobs are trimmed', async () => {
    const { status, body } = await alice.jobs(aliceBook);
    expect(status).toBe(200);
    const merge = body.children[0];
    const chapters = merge?.children.filter((c) => c.name !== JOBS.parseEpub) ?? [];
    expect(chapters).toHaveLength(5);
    expect([body, merge, ...chapters].every((n) => n?.state === 'completed')).toBe(true);
    expect(chapters.every((c) => c.attemptsMade === 1 && c.timestamps.finished)).toBe(true);
    // Nothing of the finished book is left in the queue backend.
    const queues = await d.queues();
    const counts = await Promise.all(
      QUEUE_KEYS.map((q) =>
        queues.queue(q).getJobCounts('completed', 'failed', 'waiting', 'active'),
      ),
    );
    expect(counts.every((c) => Object.values(c).every((n) => n === 0))).toBe(true);
  });

  it('returns the same book for the same Idempotency-Key, and starts one flow', async () => {
    const first = await alice.upload(
      fixture('idpf-wasteland.epub'),
      {},
      { 'idempotency-key': 'k1' },
    );
    const again = await alice.upload(
      fixture('idpf-wasteland.epub'),
      {},
      { 'idempotency-key': 'k1' },
    );
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Two at once with a new key: one book between them.
    const racing = await Promise.all(
      [1, 2, 3].map(() =>
        alice.upload(fixture('idpf-wasteland.epub'), {}, { 'idempotency-key': 'k2' }),
      ),
    );
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    // Keys belong to their owner: bob's k1 is a book of his own.
    const bobs = await bob.upload(fixture('idpf-wasteland.epub'), {}, { 'idempotency-key': 'k1' });
    expect(bobs.body.id).not.toBe(first.body.id);

    const sql = postgres(d.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows =
        await sql`select owner, idempotency_key as key from books where idempotency_key is not null order by owner, key`;
      expect(rows.map((r) => `${r.owner}/${r.key}`)).toEqual(['alice/k1', 'alice/k2', 'bob/k1']);
    } finally {
      await sql.end();
    }
    const racedId = racing[0]?.body.id as string;
    expect((await alice.waitFor(racedId, ['READY', 'FAILED'])).status).toBe('READY');
    // One flow: each chapter was started once.
    const book = (await alice.get(racedId)).body;
    expect(book.chapters.filter((c) => c.status === 'DONE').every((c) => c.attempts === 1)).toBe(
      true,
    );
  });

  it('limits each token’s request rate, and callers without a valid token by address', async () => {
    const port = await freePort();
    await d.start('api', { PORT: String(port), API_RATE_LIMIT: '3/60s' });
    const base = `http://127.0.0.1:${port}`;
    const call = (token: string) =>
      fetch(`${base}/books`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 3; i++) expect((await call(ALICE)).status).toBe(200);
    const limited = await call(ALICE);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(BOB)).status).toBe(200);
    const guesses = [];
    for (let i = 0; i < 4; i++) guesses.push((await call(`guess-${i}-0123456789abcdef`)).status);
    expect(guesses).toEqual([401, 401, 401, 429]);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('never puts a stack trace or an internal path in an error body', async () => {
    const bodies = [
      await d.api.raw('/books'), // 401
      await alice.raw('/books/nope'), // 404
      await alice.raw('/books?limit=0'), // 400
      await alice.raw(`/books/${aliceBook}/retry`, { method: 'POST' }), // 409
      await alice.raw('/no/such/route'), // 404
    ];
    const notEpub = await alice.upload(fixture('broken/not-a-zip.epub')); // 415
    expect(notEpub.status).toBe(415);
    expect(bodies.map((r) => r.status)).toEqual([401, 404, 400, 409, 404]);
    for (const body of [...(await Promise.all(bodies.map((r) => r.json()))), notEpub.body]) {
      expect(Object.keys(body).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(JSON.stringify(body)).not.toMatch(/\/work\/|node_modules|\.ts:\d|\n\s+at /);
    }
  });

  it('runs open only on loopback, and says so at start-up', async () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST=0\.0\.0\.0 needs API_TOKENS/);
    expect(loadConfig({ HOST: '0.0.0.0', API_TOKENS: `a:${ALICE}` }).host).toBe('0.0.0.0');
    const port = await freePort();
    const open = await d.start('api', { PORT: String(port), API_TOKENS: '' });
    expect(open.output()).toMatch(/no API_TOKENS: .* listens on 127\.0\.0\.1 only/);
    expect((await fetch(`http://127.0.0.1:${port}/books`)).status).toBe(200);
  });
});
