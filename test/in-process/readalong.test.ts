import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isTag } from 'domhandler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackage } from '../../src/epub/epub-package.js';
import { type EpubZip, openEpubZip, readMarkup } from '../../src/epub/epub-zip.js';
import { comparableKey, documentText, keyRangeOf } from '../../src/epub/overlay-text.js';
import { descendants, resolveHref } from '../../src/epub/xml.js';
import { makeEpub2 } from '../support/epub-maker.js';
import { fixture } from '../support/fixtures.js';
import {
  buildTestApp,
  injectUpload,
  startInProcessWorkers,
  type TestApp,
} from '../support/test-app.js';
import { createToneEngine } from '../support/test-engine.js';

/** Debian's epubcheck: its script needs binfmt for the jar, so the jar is run with java. */
const EPUBCHECK = '/usr/share/java/epubcheck.jar';

interface CheckMessage {
  severity: string;
  message: string;
  locations: { path: string; line: number }[];
}

async function epubcheck(file: string): Promise<CheckMessage[]> {
  const report = `${file}.json`;
  await promisify(execFile)('java', ['-jar', EPUBCHECK, file, '--json', report], {
    maxBuffer: 1 << 26,
  }).catch(() => {}); // it exits 1 when it finds errors: the report says which
  return (JSON.parse(await fs.readFile(report, 'utf8')) as { messages: CheckMessage[] }).messages;
}

interface Par {
  text: string;
  audio: string;
  begin: number;
  end: number;
}

const parsOf = (smil: string): Par[] =>
  [
    ...smil.matchAll(
      /<text src="([^"]+)"\/>\s*<audio src="([^"]+)" clipBegin="([\d.]+)s" clipEnd="([\d.]+)s"\/>/g,
    ),
  ].map(([, text, audio, begin, end]) => ({
    text: text as string,
    audio: audio as string,
    begin: Number(begin),
    end: Number(end),
  }));

const cuesOf = (vtt: string) =>
  [...vtt.matchAll(/^(\d\d):(\d\d):(\d\d),(\d\d\d) --> .*\n(.*)$/gm)].map(
    ([, h, m, s, ms, text]) => ({
      start: Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000,
      text: text as string,
    }),
  );

/** What is read aloud of the element with `id` in a document of the package, as a key. */
async function keyOfId(zip: EpubZip, docPath: string, id: string): Promise<string | null> {
  const text = documentText(await readMarkup(zip, docPath));
  for (const node of descendants(text.doc)) {
    if (!isTag(node) || node.attribs.id !== id) continue;
    const range = keyRangeOf(text, node);
    return range ? text.key.slice(range[0], range[1] + 1) : '';
  }
  return null;
}

/**
 * GET /books/:id/readalong.epub: the book's own EPUB with EPUB 3 Media Overlays, checked by
 * epubcheck (Debian's `epubcheck`), for an EPUB 3 book and an EPUB 2 one it brings to EPUB 3.
 */
describe('read-along EPUB', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  const ids: Record<string, string> = {};
  // An EPUB 2 with the HTML 4 markup of Project Gutenberg's (a table's summary, cellpadding
  // and border, <big>, <tt>, Content-Style-Type), valid EPUB 2 as made (checked below).
  const html4 = 'made-html4-epub2.epub';
  const books = ['idpf-hefty-water.epub', 'pressbooks-metamorphosis-epub2.epub', html4];
  const fileOf = (name: string) => (name === html4 ? path.join(t.dir, name) : fixture(name));

  beforeAll(async () => {
    t = await buildTestApp();
    workers = await startInProcessWorkers(t, createToneEngine());
    await makeHtml4Book(fileOf(html4));
    for (const name of books) ids[name] = (await injectUpload(t.app, fileOf(name))).json().id;
    for (let i = 0; i < 1200; i++) {
      const states = await Promise.all(
        Object.values(ids).map(async (id) => (await t.app.inject(`/books/${id}`)).json().status),
      );
      if (states.every((s) => s === 'READY')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180_000);
  afterAll(async () => {
    await workers?.stop();
    await t?.close();
  });

  it('starts from an EPUB 2 book with HTML 4 markup that epubcheck finds valid', async () => {
    const problems = (await epubcheck(fileOf(html4))).filter((m) => /ERROR|FATAL/.test(m.severity));
    expect(problems).toEqual([]);
  });

  it.each(books)(
    'makes %s a read-along that epubcheck finds no error in',
    async (name) => {
      const id = ids[name] as string;
      const res = await t.app.inject(`/books/${id}/readalong.epub`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/epub+zip');
      const file = path.join(t.dir, `${id}.epub`);
      await fs.writeFile(file, res.rawPayload);
      // OCF: `mimetype` first, stored, with no extra field, so its type sits at offset 38.
      expect(res.rawPayload.subarray(30, 58).toString('latin1')).toBe(
        'mimetypeapplication/epub+zip',
      );
      const problems = (await epubcheck(file)).filter((m) => /ERROR|FATAL/.test(m.severity));
      expect(
        problems.map((m) => `${m.locations[0]?.path}:${m.locations[0]?.line} ${m.message}`),
      ).toEqual([]);
    },
    120_000,
  );

  it.each(books)(
    'places the sentences of %s in its text, each heard from where it was measured',
    async (name) => {
      const id = ids[name] as string;
      const file = path.join(t.dir, `${id}-check.epub`);
      await fs.writeFile(file, (await t.app.inject(`/books/${id}/readalong.epub`)).rawPayload);
      const zip = await openEpubZip(file);
      try {
        const pkg = await readPackage(zip);
        const opf = await readMarkup(zip, pkg.opfPath);
        expect(opf).toMatch(/<package\b[^>]*version="3\.0"/);
        expect(opf).toMatch(
          /<meta property="media:active-class">-epub-media-overlay-active<\/meta>/,
        );
        // The overlays the content documents name (media-overlay), each a SMIL document.
        const named = new Set([...opf.matchAll(/media-overlay="([^"]+)"/g)].map((m) => m[1]));
        const overlaid = [...pkg.manifest.values()].filter((i) => named.has(i.id));
        expect(overlaid.map((i) => i.mediaType)).toEqual(
          overlaid.map(() => 'application/smil+xml'),
        );
        expect(overlaid).toHaveLength(named.size);
        expect(overlaid.length).toBeGreaterThan(0);
        if (name.includes('epub2')) expect(pkg.navPath).toBe('bookflow/nav.xhtml');

        const { chapters } = (await t.app.inject(`/books/${id}`)).json() as {
          chapters: { n: number; status: string }[];
        };
        const said = new Map<string, number[]>(); // sentence → where its chapter's cues start
        for (const c of chapters.filter((c) => c.status === 'DONE')) {
          const srt = (await t.app.inject(`/books/${id}/chapters/${c.n}/subtitles.srt`)).body;
          for (const cue of cuesOf(srt))
            said.set(comparableKey(cue.text), [
              ...(said.get(comparableKey(cue.text)) ?? []),
              cue.start,
            ]);
        }
        let pars = 0;
        for (const smil of overlaid) {
          for (const par of parsOf(await readMarkup(zip, smil.path))) {
            const target = resolveHref(smil.path, par.text);
            const key = await keyOfId(zip, target.path, target.fragment ?? '');
            expect(key).not.toBeNull();
            const starts = said.get(key ?? '') ?? [];
            // Every sentence is a cue of its own here (TtsEngine.unit 'sentence'); a chapter's
            // first placed one starts with the chapter (its title's sound is heard with it).
            expect(par.begin === 0 || starts.some((s) => Math.abs(s - par.begin) < 0.002)).toBe(
              true,
            );
            expect(par.end).toBeGreaterThan(par.begin);
            expect(zip.has(resolveHref(smil.path, par.audio).path)).toBe(true);
            pars++;
          }
        }
        // Nearly every sentence said is found in the text (a title may not be written as said).
        const sentences = [...said].reduce((n, [key, s]) => n + (key ? s.length : 0), 0);
        console.log(`${name}: ${pars} of ${sentences} sentences placed`);
        expect(pars / sentences).toBeGreaterThan(0.9);
      } finally {
        zip.close();
      }
    },
    60_000,
  );

  it('answers 409 before the book is READY', async () => {
    const review = await injectUpload(
      t.app,
      fixture('idpf-hefty-water.epub'),
      {},
      { autostart: 'false' },
    );
    expect((await t.app.inject(`/books/${review.json().id}/readalong.epub`)).statusCode).toBe(409);
  });
});

async function makeHtml4Book(file: string): Promise<void> {
  const html4 =
    '<h1>THE ADVENTURES OF A TEST</h1><p>It was a <big>very</big> dark night, and the <tt>wind</tt> blew. The doctor came in at last.</p>' +
    '<table summary="The contents" cellpadding="4" cellspacing="0" border="0" width="80%"><tr><td align="left" valign="top">I.</td><td>A SCANDAL IN BOHEMIA</td></tr></table>' +
    '<p>She said nothing more. Then the door closed behind her.</p>';
  await makeEpub2(file, {
    title: 'An HTML 4 Book',
    head: '<meta http-equiv="Content-Style-Type" content="text/css"/>',
    chapters: [
      { title: 'Chapter One', body: html4 },
      {
        title: 'Chapter Two',
        body: '<h2>CHAPTER TWO</h2><p>Morning came. <small>Quietly</small> the city woke.</p>',
      },
    ],
  });
}
