import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_QUEUE, JOBS, QUEUE_KEYS, QUEUES } from '../../flows/index.js';
import type { QueueBackend } from '../../src/queue/queue-backend.js';
import { PROCESSOR_FACTORIES } from '../../src/workers/processors.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture, REPO } from '../support/fixtures.js';
import { cyclesOf, importGraph, importsOf } from '../support/import-graph.js';

const CODE_DIRS = ['src', 'test', 'bench'];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the flows/ contract', () => {
  it('is the only place a queue or job name is spelled', async () => {
    const names = [...Object.values(QUEUES), ...Object.values(JOBS)];
    const offenders: string[] = [];
    for (const dir of CODE_DIRS) {
      for (const file of await sourceFiles(path.join(REPO, dir))) {
        const text = await fs.readFile(file, 'utf8');
        for (const name of names) {
          if (new RegExp(`(['"\`])${name}\\1`).test(text))
            offenders.push(`${path.relative(REPO, file)}: ${name}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('gives every job name exactly one processor, and every queue exactly one job name', () => {
    expect(Object.keys(PROCESSOR_FACTORIES).sort()).toEqual(Object.values(JOBS).sort());
    const jobsPerQueue = QUEUE_KEYS.map(
      (q) => Object.values(JOB_QUEUE).filter((k) => k === q).length,
    );
    expect(jobsPerQueue).toEqual(QUEUE_KEYS.map(() => 1));
  });

  it('creates Workers in exactly one module, which only the worker runtime calls', async () => {
    const creators: string[] = [];
    const callers: string[] = [];
    for (const file of await sourceFiles(path.join(REPO, 'src'))) {
      const text = await fs.readFile(file, 'utf8');
      const rel = path.relative(REPO, file);
      if (/new (\w+\.)?Worker\(/.test(text)) creators.push(rel);
      if (/\.worker\(/.test(text)) callers.push(rel);
    }
    expect(creators).toEqual(['src/queue/queue-backend.ts']);
    expect(callers).toEqual(['src/workers/worker-runtime.ts']);
  });
});

describe('the rooms of src/', () => {
  it('keeps BullMQ out of the catalogue: src/books/ imports neither bullmq nor src/queue/', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(path.join(REPO, 'src/books'))) {
      const rel = path.relative(REPO, file);
      for (const spec of importsOf(await fs.readFile(file, 'utf8'))) {
        const target = path.relative(REPO, path.resolve(path.dirname(file), spec));
        if (spec === 'bullmq' || spec.startsWith('bullmq/') || target.startsWith('src/queue/'))
          offenders.push(`${rel} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no import cycle, type-only imports included', async () => {
    const cycles = cyclesOf(await importGraph(path.join(REPO, 'src')));
    expect(cycles.map((c) => c.map((f) => path.relative(REPO, f)).sort())).toEqual([]);
  });

  it('the cycle finder finds a cycle, and only the files in it', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cyclesOf(graph).map((c) => c.sort())).toEqual([['a', 'b', 'c'], ['e']]);
    expect(importsOf("import type { X } from '../x.js';\nexport { y } from './y.js';")).toEqual([
      '../x.js',
      './y.js',
    ]);
  });
});

describe('the HTTP layer is a leaf', () => {
  it('nothing in src/ outside src/http/ imports src/http/ but the entry point', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(path.join(REPO, 'src'))) {
      const rel = path.relative(REPO, file);
      // main.ts composes a process: it builds the app, as it starts the workers.
      if (rel.startsWith('src/http/') || rel === 'src/main.ts') continue;
      const text = await fs.readFile(file, 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
      for (const spec of imports.filter((i) => i.startsWith('.'))) {
        const target = path.relative(REPO, path.resolve(path.dirname(file), spec));
        if (target.startsWith('src/http/') || target === 'src/http')
          offenders.push(`${rel} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no domain module throws an HTTP error or names a status code', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(path.join(REPO, 'src'))) {
      const rel = path.relative(REPO, file);
      if (rel.startsWith('src/http/')) continue;
      const text = await fs.readFile(file, 'utf8');
      if (/HttpError|statusCode|reply\.code\(/.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });
});

/** Proven on real processes: the API only produces; WORKER_QUEUES decides who consumes what. */
describe('queue ownership between processes', () => {
  let d: Deployment;
  let backend: QueueBackend;

  const workerCounts = async () =>
    Object.fromEntries(
      await Promise.all(
        QUEUE_KEYS.map(async (k) => [k, await backend.queue(k).getWorkersCount()] as const),
      ),
    );
  /** Workers announce themselves once connected, a moment after their process logs that it started. */
  const settledWorkerCounts = async (expected: Record<string, number>) => {
    for (let i = 0; i < 40; i++) {
      const counts = await workerCounts();
      if (JSON.stringify(counts) === JSON.stringify(expected)) return counts;
      await new Promise((r) => setTimeout(r, 250));
    }
    return workerCounts();
  };

  beforeAll(async () => {
    d = await createDeployment();
    backend = await d.queues();
  });

  afterAll(async () => {
    await d?.stop();
  });

  it('the API process registers no worker, and its uploads wait for a worker process', async () => {
    const { api } = d;
    await d.start('api');
    const { body } = await api.upload(fixture('idpf-hefty-water.epub'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await workerCounts()).toEqual({
      parse: 0,
      tts: 0,
      merge: 0,
      finalize: 0,
      preview: 0,
      deliver: 0,
      voices: 0,
    });
    expect((await api.get(body.id)).body.status).toBe('UPLOADED');
    expect(await backend.queue('parse').getJobCounts('waiting')).toEqual({ waiting: 1 });

    // Workers for everything but speech: the book is parsed, its chapters wait for a TTS worker.
    await d.start('worker', { WORKER_QUEUES: 'parse,merge,finalize,deliver,voices' });
    const partial = { parse: 1, tts: 0, merge: 1, finalize: 1, preview: 0, deliver: 1, voices: 1 };
    expect(await settledWorkerCounts(partial)).toEqual(partial);
    const generating = await api.waitFor(body.id, ['GENERATING']);
    expect(generating.chapters.every((c) => c.status === 'PENDING')).toBe(true);

    await d.start('worker', { WORKER_QUEUES: 'tts,preview' });
    const all = { parse: 1, tts: 1, merge: 1, finalize: 1, preview: 1, deliver: 1, voices: 1 };
    expect(await settledWorkerCounts(all)).toEqual(all);
    expect((await api.waitFor(body.id, ['READY', 'FAILED'])).status).toBe('READY');
  });
});
