import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '../../flows/index.js';
import type { JobNodeBody } from '../support/api-client.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';

/** What each file in broken/ must come to, through the HTTP API: refused at upload, or FAILED with the reason. */
const OUTCOMES: [string, 415 | 'FAILED', RegExp][] = [
  ['not-a-zip.epub', 415, /^not a valid EPUB \(not a ZIP archive/],
  ['zero-bytes.epub', 415, /^the file is empty; expected an EPUB$/],
  ['no-mimetype.epub', 415, /^not an EPUB: the ZIP archive has no "mimetype" entry$/],
  [
    'missing-container-xml.epub',
    'FAILED',
    /META-INF\/container\.xml is missing, so the book cannot be opened$/,
  ],
  [
    'container-points-to-missing-opf.epub',
    'FAILED',
    /the package document OEBPS\/package\.opf named in META-INF\/container\.xml was not found$/,
  ],
  [
    'empty-spine.epub',
    'FAILED',
    /the book has no content in reading order \(its spine is empty\)$/,
  ],
  [
    'spine-missing-files.epub',
    'FAILED',
    /reading order lists files missing from the archive: OEBPS\/chapter2\.xhtml, OEBPS\/chapter3\.xhtml$/,
  ],
  [
    'xxe-external-entity.epub',
    'FAILED',
    /OEBPS\/chapter1\.xhtml declares an external entity, a known attack on XML readers; the book was refused$/,
  ],
  [
    'zip-path-traversal.epub',
    'FAILED',
    /an entry that points outside its folder \(\.\.\/\.\.\/evil\.txt\), as in zip-slip attacks/,
  ],
  [
    'zip-bomb-ish-5mb-zeros.epub',
    'FAILED',
    /OEBPS\/chapter2\.xhtml expands \d+:1 when decompressed, which looks like a zip bomb$/,
  ],
  ['drm-lcp-wasteland.epub', 'FAILED', /this book is DRM-protected and cannot be converted$/],
  [
    'real-malformed-ncx-alice.epub',
    'FAILED',
    /the table of contents 19033\/toc\.ncx is not well-formed XML \(a bare "&" at line \d+\)/,
  ],
];

describe('every broken or hostile file, through the HTTP API', () => {
  let d: Deployment;
  let api: Deployment['api'];

  beforeAll(async () => {
    d = await createDeployment();
    api = d.api;
    await d.start('api');
    await d.start('worker');
  });

  afterAll(() => d?.stop());

  it('covers every file in broken/', async () => {
    const files = await fs.readdir(fixture('broken'));
    expect(OUTCOMES.map(([f]) => f).sort()).toEqual(files.sort());
  });

  it.each(OUTCOMES)('%s → %s', async (file, outcome, message) => {
    const upload = await api.upload(fixture(`broken/${file}`));
    if (outcome === 415) {
      expect(upload.status).toBe(415);
      expect(upload.body.message).toMatch(message);
      return;
    }
    expect(upload.status).toBe(202);
    const book = await api.waitFor(upload.body.id, ['FAILED', 'READY'], 30_000);
    expect(book.status).toBe('FAILED');
    expect(book.error).toMatch(/^The EPUB could not be read: /);
    expect(book.error).toMatch(message);
    // A broken book is not retried: the parse failed once, as non-retryable.
    const merge = (await api.jobs(upload.body.id)).body.children[0] as JobNodeBody;
    const parse = merge.children.find((c) => c.name === JOBS.parseEpub);
    expect(parse).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('leaves the worker running, and never answers 500', async () => {
    expect(d.processes[1]?.child.exitCode).toBeNull();
    expect(d.processes.map((p) => p.output()).join('')).not.toMatch(/"statusCode":500/);
  });
});
