import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { fixture, REPO } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import { freePort } from '../support/processes.js';
import { tempDir } from '../support/services.js';

/**
 * `npm start` with no configuration, from an empty directory: embedded
 * PostgreSQL for the tables and the queues, objects on local disk, the WASM
 * espeak-ng and the ffmpeg npm ships. Only PORT is set, so the test cannot
 * collide with whatever else listens on 3000.
 */
describe('npm start in an empty directory, with no configuration', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let api: ReturnType<typeof apiClient>;
  let port: number;
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => ['PATH', 'HOME', 'TMPDIR', 'LANG'].includes(k)),
  );

  beforeAll(async () => {
    dir = await tempDir('bookflow-empty-');
    port = await freePort();
    child = spawn('npm', ['--prefix', REPO, 'start'], {
      cwd: dir,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so stopping it stops npm, tsx and node together
    });
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    api = apiClient(`http://127.0.0.1:${port}`);
    const deadline = Date.now() + 90_000;
    while (!/Server listening/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    const running = () => child.exitCode === null && child.signalCode === null;
    if (child?.pid && running()) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (running()) process.kill(-child.pid, 'SIGKILL');
    }
    // npm exits at once; the service behind it still stops its PostgreSQL, which removes this file.
    const pid = path.join(dir, 'data', 'postgres', 'postmaster.pid');
    for (let i = 0; i < 100 && existsSync(pid); i++) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(pid), output.slice(-3000)).toBe(false);
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it('comes up ready, with everything embedded under ./data', async () => {
    const ready = await api.raw('/ready');
    expect(ready.status).toBe(200);
    expect(existsSync(path.join(dir, 'data', 'postgres', 'PG_VERSION'))).toBe(true);
    expect(output).toMatch(/queues live in PostgreSQL/);
    // One line says what runs where (JSON, as stdout is not a terminal here).
    const started = output.split('\n').find((l) => l.includes('"msg":"bookflow started"')) ?? '';
    expect(JSON.parse(started)).toMatchObject({
      mode: 'all',
      url: `http://127.0.0.1:${port}`,
      dataDir: path.join(dir, 'data'),
      database: 'embedded, under DATA_DIR',
      queues: 'postgresql',
      storage: 'local, under DATA_DIR',
      // npm test builds first (pretest): what npm start runs after npm install.
      code: 'compiled',
      tts: expect.stringMatching(/^espeak-ng/),
      ffmpeg: expect.stringMatching(/ffmpeg$/),
    });
  });

  it('turns an uploaded book into an audiobook', async () => {
    const { status, body } = await api.upload(fixture('idpf-hefty-water.epub'));
    expect(status).toBe(202);
    const book = await api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    const file = path.join(dir, 'data', 'objects', 'books', body.id, 'audiobook.m4b');
    const probe = await ffprobe(file);
    expect(probe.chapters.map((c) => c.title)).toEqual(book.chapters.map((c) => c.title));
    const sum = book.chapters.reduce((a, c) => a + (c.durationSec ?? 0), 0);
    expect(Math.abs(probe.durationSec - sum)).toBeLessThan(0.5 + sum * 0.01);
    // The book's life in the log, each line carrying its id (the last one is written just
    // after the status it reports, which a client may read first).
    const logged = (msg: string) =>
      output.split('\n').find((l) => l.includes(`"msg":"${msg}"`) && l.includes(body.id));
    for (let i = 0; i < 50 && !logged('book READY'); i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const msg of ['book accepted', 'book parsed', 'book READY']) {
      expect(logged(msg), msg).toBeDefined();
    }
    const download = await api.raw(`/books/${body.id}/audio`);
    expect(Buffer.from(await download.arrayBuffer()).equals(await fs.readFile(file))).toBe(true);
  });

  /** Another `npm start`, run to its end: its exit code and what it printed. */
  async function secondStart(cwd: string, startPort: number) {
    const other = spawn('npm', ['--prefix', REPO, 'start'], {
      cwd,
      env: { ...env, PORT: String(startPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    other.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    other.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((r) => other.once('exit', r));
    return { code, out };
  }

  it('refuses a second npm start on the same DATA_DIR, naming the one running', async () => {
    const { code, out } = await secondStart(dir, await freePort());
    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `DATA_DIR .* is in use by another bookflow \\(pid \\d+, http://127\\.0\\.0\\.1:${port}\\)`,
      ),
    );
    expect((await api.raw('/health')).status).toBe(200);
  });

  it('says a port is in use in one line, exits 1, and leaves no PostgreSQL running', async () => {
    const other = await tempDir('bookflow-busy-port-');
    try {
      const started = Date.now();
      const { code, out } = await secondStart(other, port);
      expect(code).toBe(1);
      expect(out).toMatch(new RegExp(`port ${port} is in use; set PORT`));
      // Found before anything is opened: no PostgreSQL initialised first (that took 27 s).
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(out).not.toMatch(/embedded PostgreSQL|initdb/i);
      expect(out).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(path.join(other, 'data', 'postgres', 'postmaster.pid'))).toBe(false);
      expect(existsSync(path.join(other, 'data', 'bookflow.lock'))).toBe(false);
    } finally {
      await fs.rm(other, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
  });
});
