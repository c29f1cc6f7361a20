import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, REPO } from '../support/fixtures.js';
import { testVoicePath } from '../support/piper.js';
import { tempDir } from '../support/services.js';
import { buildTestApp, startInProcessWorkers, type TestApp } from '../support/test-app.js';
import { createTestEngine } from '../support/test-engine.js';
import { startVoiceMirror, type VoiceMirror } from '../support/voice-mirror.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';
const ADMIN = 'admin-token-0123456789';
/** Debian's chromium (installed by .ci/run); nothing is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO, 'test', 'screenshots');
/** A Kokoro repository with no voices: the mirror's catalogue then offers Piper's alone. */
async function emptyKokoroRepository(): Promise<string> {
  const dir = await tempDir('bookflow-hub-');
  for (const folder of ['onnx', 'voices']) await fs.mkdir(path.join(dir, folder));
  return dir;
}
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/**
 * The web app in a real headless Chromium against the API and in-process
 * workers: sign-in, upload, live progress, a chapter failing until retried,
 * the player, and another owner's book. Screenshots go to test/screenshots/.
 */
describe('the web app, in a real browser', () => {
  let t: TestApp;
  let workers: Awaited<ReturnType<typeof startInProcessWorkers>>;
  let browser: Browser;
  let base: string;
  let failing = true;
  let mirror: VoiceMirror;
  let hub: string | undefined;

  beforeAll(async () => {
    const engine = createTestEngine({ match: /game of chess/i, on: () => failing });
    hub = await emptyKokoroRepository();
    mirror = await startVoiceMirror({
      piperVoiceDir: path.dirname(testVoicePath()),
      piperKey: 'en_US-joe-medium',
      kokoroDir: hub,
    });
    const voiceSources = { piperUrl: mirror.piperUrl, kokoroUrl: mirror.kokoroUrl };
    t = await buildTestApp({
      tokens: [
        { owner: 'alice', token: ALICE, admin: false },
        { owner: 'bob', token: BOB, admin: false },
        { owner: 'ops', token: ADMIN, admin: true },
      ],
      engine,
      voiceSources,
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    workers = await startInProcessWorkers(t, engine, { voiceSources });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    await fs.mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await mirror?.close();
    if (hub) await fs.rm(hub, { recursive: true, force: true });
    await workers?.stop();
    await t?.close();
  });

  async function signedIn(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: SIZES.desktop });
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    return page;
  }

  async function shoot(page: Page, name: string) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${size}.png`), fullPage: true });
    }
    await page.setViewportSize(SIZES.desktop);
  }

  it('signs in, uploads, follows the book live, retries a chapter, plays it', async () => {
    const signIn = await browser.newPage({ viewport: SIZES.desktop });
    await signIn.goto(`${base}/`);
    await signIn.getByLabel('API token').fill('not-a-token');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    await shoot(signIn, 'sign-in');
    await signIn.close();

    const page = await signedIn(ALICE);
    // The API's refusal, in its words, next to the file.
    await page.setInputFiles('#files', fixture('MANIFEST.tsv'));
    await page.locator('.uploads li', { hasText: 'MANIFEST.tsv' }).locator('.error').waitFor();
    // The form's bounds and choices are the API's schema of it (GET /openapi.json).
    const speed = page.getByLabel('Speed');
    expect([await speed.getAttribute('min'), await speed.getAttribute('max')]).toEqual([
      '0.5',
      '2',
    ]);
    expect(await page.getByLabel('Priority').locator('option').count()).toBe(10);
    await page.getByLabel('Status').locator('option', { hasText: 'generating' }).waitFor({
      state: 'attached',
    });
    // The choices go with the upload: a later turn, and pictures' alt text read.
    await page.getByLabel('Priority').selectOption('9');
    await page.getByLabel("Read pictures' alt text").check();
    await page.getByLabel('Pronunciations for these books').fill('april = Ay-pril');
    await page.setInputFiles('#files', fixture('idpf-wasteland.epub'));
    const accepted = page.getByRole('link', { name: 'accepted: open' });
    await accepted.waitFor();
    const sentId = ((await accepted.getAttribute('href')) ?? '').split('/').pop();
    const sent = await t.app.inject({
      url: `/books/${sentId}`,
      headers: { authorization: `Bearer ${ALICE}` },
    });
    expect(sent.json()).toMatchObject({
      priority: 9,
      readOptions: { altText: true, boilerplate: 'skip' },
      lexicon: { april: 'Ay-pril' },
    });
    // Progress arrives without a reload: the row's count moves on by itself.
    const row = page.locator('.book').filter({ hasText: 'Waste Land' });
    const counts = new Set<string>();
    for (let i = 0; i < 300 && !(await row.getByText('FAILED').isVisible()); i++) {
      counts.add((await row.locator('.count').textContent()) ?? '');
      await page.waitForTimeout(100);
    }
    expect(counts.size).toBeGreaterThan(1);
    await shoot(page, 'library');

    await row.getByRole('link').click();
    const chapter2 = page.locator('tr[data-chapter="2"]');
    await chapter2.getByText('FAILED').waitFor();
    await expect(chapter2.textContent()).resolves.toContain('injected failure');
    await page.getByRole('alert').filter({ hasText: 'failed after 3 attempts' }).waitFor();
    await shoot(page, 'book-failed');

    failing = false;
    await chapter2.getByRole('button', { name: 'Retry chapter 2' }).click();
    await page.locator('.line .status.READY').waitFor({ timeout: 60_000 });
    const audio = page.locator('audio');
    await page.waitForFunction(() => (document.querySelector('audio')?.duration ?? 0) > 0);
    await audio.evaluate((a: HTMLAudioElement) => a.play());
    await page.waitForFunction(() => (document.querySelector('audio')?.currentTime ?? 0) > 0.2);
    const start3 = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('tr[data-chapter]')].slice(0, 2);
      return rows.reduce((sum, r) => sum + durationOf(r.children[4]?.textContent ?? ''), 0);
      function durationOf(text: string) {
        const [m, s] = text.split(':').map(Number);
        return (m ?? 0) * 60 + (s ?? 0);
      }
    });
    await page.locator('.marks button[data-chapter="3"]').click();
    const at = await audio.evaluate((a: HTMLAudioElement) => a.currentTime);
    // The table shows whole seconds: chapter 3 starts within a second of their sum.
    expect(Math.abs(at - start3)).toBeLessThan(1.5);
    await page.locator('.marks li.current button[data-chapter="3"]').waitFor();
    // No Audiobookshelf is configured here, so nothing offers to send the book there.
    await expect(page.getByRole('button', { name: 'Delete' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: /Audiobookshelf/ }).count()).resolves.toBe(0);
    await shoot(page, 'book');

    const id = page.url().split('/books/')[1] as string;
    const other = await signedIn(BOB);
    await other.goto(`${base}/#/books/${id}`);
    await other.getByText('Book not found.').waitFor();
    expect(await other.locator('.books .book').count()).toBe(0);
    await other.close();
    await page.close();
  });

  it('lets a reviewer pick the chapters and their titles, then start', async () => {
    const page = await signedIn(ALICE);
    await page.getByLabel('Let me pick the chapters before anything is read').check();
    await page.getByLabel('Voice for what is inside quotation marks').selectOption('hush');
    await page.setInputFiles('#files', fixture('pressbooks-metamorphosis-epub2.epub'));
    await page.getByRole('link', { name: 'accepted: open' }).last().click();
    await page.getByRole('heading', { name: 'Pick the chapters to read' }).waitFor();
    await page.getByText(/One morning, when Gregor Samsa woke/).waitFor();
    // A chapter with nothing to say cannot be picked.
    expect(await page.getByLabel('Read chapter 3').isDisabled()).toBe(true);
    await page.getByText('5 of 6 chapters', { exact: false }).waitFor();
    await page.getByLabel('Read chapter 1').uncheck();
    await page.getByText('4 of 6 chapters', { exact: false }).waitFor();
    await page.getByLabel('Read chapter 2').uncheck();
    await page.getByText('3 of 6 chapters', { exact: false }).waitFor();
    await page.getByLabel('Title of chapter 4').fill('One Morning');
    await page.getByLabel('Title of chapter 4').press('Tab');
    const id = page.url().split('/books/')[1] as string;
    const read = async () =>
      (
        await t.app.inject({ url: `/books/${id}`, headers: { authorization: `Bearer ${ALICE}` } })
      ).json();
    await expect.poll(async () => (await read()).chapters[3].title).toBe('One Morning');
    // Who reads it, and a chapter's opening to hear as it will be read.
    expect(await page.locator('.review .dialogue-voice').textContent()).toBe('hush');
    const previewed = page.waitForResponse((r) => r.url().endsWith('/chapters/4/preview'));
    await page.locator('tr[data-chapter="4"] button.hear').click();
    expect((await previewed).status()).toBe(200);
    await page.locator('tr[data-chapter="4"] audio').waitFor();
    await shoot(page, 'review');
    // Another chapter's opening replaces it, and the first one's audio is let go.
    const first = (await page.locator('tr[data-chapter="4"] audio').getAttribute('src')) ?? '';
    expect(await page.evaluate((u) => fetch(u).then((r) => r.ok), first)).toBe(true);
    await page.locator('tr[data-chapter="5"] button.hear').click();
    await page.locator('tr[data-chapter="5"] audio').waitFor();
    const fetched = (u: string) =>
      fetch(u).then(
        () => 'kept',
        () => 'revoked',
      );
    expect(await page.evaluate(fetched, first)).toBe('revoked');
    await page.getByRole('button', { name: /Start reading 3 chapters/ }).click();
    await page.locator('.line .status.READY').waitFor({ timeout: 60_000 });
    expect(
      (await read()).chapters.map((c: { title: string; status: string }) => [c.title, c.status]),
    ).toEqual([
      ['Title Page', 'SKIPPED'],
      ['Copyright', 'SKIPPED'],
      ['Make your own books using PressBooks.com', 'SKIPPED'],
      ['One Morning', 'DONE'],
      ['Chapter II', 'DONE'],
      ['Chapter III', 'DONE'],
    ]);
    await page.close();
  });

  it('stops the clock of a book that stopped, names a failed book by its file, asks no other site', async () => {
    const page = await signedIn(ALICE);
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (['http:', 'https:'].includes(url.protocol) && url.origin !== base)
        elsewhere.push(r.url());
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.setInputFiles('#files', fixture('broken/empty-spine.epub'));
    await page.getByRole('link', { name: 'accepted: open' }).last().click();
    await page.locator('.line .status.FAILED').waitFor();
    // No title could be read: the uploaded file's name stands for it.
    expect(await page.locator('h1').textContent()).toBe('empty-spine.epub');
    const clock = async () => (await page.locator('.time').textContent())?.split(' ')[0];
    const first = await clock();
    await new Promise((r) => setTimeout(r, 2500));
    expect(await clock()).toBe(first);
    await page.goto(`${base}/#/`);
    await page.locator('.books .book', { hasText: 'empty-spine.epub' }).first().waitFor();
    await page.goto(`${base}/favicon.ico`);
    expect(elsewhere).toEqual([]);
    await page.close();
    // The queue dashboard's page names no third-party font either.
    const board = await t.app.inject({
      url: '/admin/queues',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('bookflow queues');
    expect(board.body).not.toMatch(/googleapis|gstatic/);
  });

  it('lists the voices, each with its engine and language, and plays a sample of one', async () => {
    const page = await signedIn(ALICE);
    await page.getByRole('link', { name: 'Voices' }).click();
    await page.getByRole('heading', { name: 'Voices' }).waitFor();
    const row = page.getByRole('row', { name: /silence \(default\)/ });
    expect(await row.locator('td').allTextContents()).toEqual([
      'silence (default)',
      'test silence',
      'any',
      'Hear',
    ]);
    // The sample is made by a preview job, then streamed to the page's player.
    const answered = page.waitForResponse((r) => r.url().endsWith('/voices/silence/sample'));
    await row.getByRole('button', { name: 'Hear silence' }).click();
    expect((await answered).status()).toBe(200);
    await page.getByLabel('sample of silence').waitFor();
    // Owners are not offered installs.
    expect(await page.getByRole('heading', { name: 'Install a voice' }).count()).toBe(0);
    await page.close();
  });

  it('lets an admin install a voice and follow its download', async () => {
    const page = await signedIn(ADMIN);
    await page.getByRole('link', { name: 'Voices' }).click();
    await page.getByRole('heading', { name: 'Install a voice' }).waitFor();
    const row = page.locator('tr[data-voice="piper:en_US-joe-medium"]');
    await row.getByRole('button', { name: 'Install piper:en_US-joe-medium' }).click();
    await row.locator('.installed').waitFor({ timeout: 60_000 });
    await shoot(page, 'voices');
    await page.close();
  });
});
