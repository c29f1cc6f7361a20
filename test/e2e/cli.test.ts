import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/net.js';
import { BIN, bookflow } from '../support/bookflow-cli.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { ffprobe } from '../support/probe.js';
import { tempDir } from '../support/services.js';

const TOKEN = 'cli-token-0123456789abcdef';

describe('the command line', () => {
  describe('with no server: the service embedded in the command', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await tempDir('bookflow-cli-');
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));
    const env = () => ({ DATA_DIR: path.join(dir, 'data'), TTS_ENGINE: 'silence' });

    it('converts a book to an audiobook with its chapters, and its read-along (exit 0)', async () => {
      const run = await bookflow(
        ['convert', fixture('idpf-wasteland.epub'), '--read-along'],
        env(),
        dir,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n')).toEqual([
        'idpf-wasteland.m4b',
        'idpf-wasteland.readalong.epub',
      ]);
      const epub = await fs.readFile(path.join(dir, 'idpf-wasteland.readalong.epub'));
      expect(epub.subarray(30, 58).toString('latin1')).toBe('mimetypeapplication/epub+zip');
      const probe = await ffprobe(path.join(dir, 'idpf-wasteland.m4b'));
      expect(probe.chapters.length).toBe(5);
      expect(probe.durationSec).toBeGreaterThan(0);
    });

    it('says why a book failed (exit 1)', async () => {
      const run = await bookflow(['convert', fixture('broken/empty-spine.epub')], env(), dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/FAILED: .*spine is empty/);
      expect(run.stderr).toMatch(/^to retry what failed: bookflow retry [\w-]+$/m);
      const ls = await bookflow(['ls'], env(), dir);
      expect(
        ls.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/)[1]),
      ).toEqual(['FAILED', 'READY']);
    });
  });

  describe("with no DATA_DIR: the user's data directory", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await tempDir('bookflow-cli-xdg-');
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    it('keeps its data out of the current folder, says where, and --clean leaves no book', async () => {
      const xdg = path.join(dir, 'xdg');
      const cwd = path.join(dir, 'here');
      await fs.mkdir(cwd);
      const env = { XDG_DATA_HOME: xdg, TTS_ENGINE: 'silence' };
      const run = await bookflow(['convert', fixture('idpf-wasteland.epub'), '--clean'], env, cwd);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`its data in ${path.join(xdg, 'bookflow')}`);
      expect(run.stderr).toMatch(/^deleted the book's files and record \([\w-]+\)$/m);
      expect(await fs.readdir(cwd)).toEqual(['idpf-wasteland.m4b']);
      expect(await fs.readdir(path.join(xdg, 'bookflow'))).toContain('postgres');
      const books = await fs
        .readdir(path.join(xdg, 'bookflow', 'objects', 'books'))
        .catch(() => []);
      expect(books).toEqual([]);
      expect((await bookflow(['ls'], env, cwd)).stdout).toBe('');
    });
  });

  describe('against a running API, with a token', () => {
    let d: Deployment;
    let flags: string[];
    beforeAll(async () => {
      d = await createDeployment({
        env: () => ({ TTS_ENGINE: 'silence', API_TOKENS: `team:${TOKEN}` }),
      });
      await d.start('api');
      await d.start('worker');
      flags = ['--server', `http://127.0.0.1:${d.env.PORT}`, '--token', TOKEN];
    });
    afterAll(() => d?.stop());

    it('converts, lists, shows, downloads a chapter; a bad token is told', async () => {
      const out = path.join(d.dir, 'book.m4b');
      const run = await bookflow(
        [...flags, 'convert', fixture('idpf-wasteland.epub'), '-o', out],
        {},
        d.dir,
      );
      expect(run.code, run.stderr).toBe(0);
      expect((await ffprobe(out)).chapters.length).toBe(5);
      const id = (await bookflow([...flags, 'ls'], {}, d.dir)).stdout.split(/\s+/)[0] as string;
      const status = await bookflow([...flags, 'status', id], {}, d.dir);
      expect(status.stdout).toMatch(/READY, 5\/5 chapters/);
      expect(status.stdout).toMatch(/ {3}3 {2}DONE/);
      const chapter = await bookflow([...flags, 'download', id, '--chapter', '3'], {}, d.dir);
      expect(chapter.code, chapter.stderr).toBe(0);
      // Named after the book, not its id.
      expect(chapter.stdout.trim()).toBe('The Waste Land - 3.m4a');
      expect((await ffprobe(path.join(d.dir, chapter.stdout.trim()))).durationSec).toBeGreaterThan(
        0,
      );
      const denied = await bookflow(
        ['--server', flags[1] as string, '--token', 'wrong', 'ls'],
        {},
        d.dir,
      );
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/valid API token/);
    });

    it('says what failed when the server cannot be reached', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const run = await bookflow(['--server', closed, '--token', TOKEN, 'ls'], {}, d.dir);
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim()).toBe(`bookflow: cannot reach ${closed}: connection refused`);
    });

    it('ends at once on Ctrl-C, exit 130, with one line saying the book runs on', async () => {
      const listed = async () => {
        const res = await fetch(`${flags[1]}/books`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return ((await res.json()) as { books: unknown[] }).books.length;
      };
      const before = await listed();
      const child = spawn(
        process.execPath,
        [BIN, ...flags, 'convert', fixture('pg-pride-and-prejudice-epub2.epub'), '-o', 'x.m4b'],
        { cwd: d.dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      // Once the upload is in (the book is listed), as a user would press it.
      while ((await listed()) === before) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300)); // its answer read, its Ctrl-C handler set
      const pressed = Date.now();
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(130);
      expect(Date.now() - pressed).toBeLessThan(3000);
      // Without a terminal to ask, the book is left running, and the command says how to follow it.
      const said = stderr
        .split(/[\r\n]+/)
        .filter((l) => /left running|cancelled|CANCELLED/.test(l));
      expect(said).toEqual([expect.stringMatching(/^left running: bookflow status [\w-]+$/)]);
    });
  });
});
