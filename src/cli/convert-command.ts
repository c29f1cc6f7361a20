import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import type { ApiClient, Book, Progress, UploadOptions } from './api-client.js';

const FINAL = ['READY', 'FAILED', 'CANCELLED'];
/** What a shell expects of a command stopped by Ctrl-C. */
export const INTERRUPTED = 130;

/** Where the audiobook goes when `-o` is not given: the EPUB's name, with the format's extension. */
export const defaultOutput = (file: string, format: string) =>
  `${path.basename(file, path.extname(file))}.${format === 'mp3' ? 'mp3' : 'm4b'}`;

/**
 * `bookflow convert`: uploads the book, shows its progress from the book's
 * events (chapters done of all, ETA), downloads the audiobook when READY (and, asked, the
 * read-along EPUB beside it).
 * Answers the exit code: 0 READY, 1 FAILED or CANCELLED (the reason on stderr),
 * 130 after Ctrl-C (the book cancelled or left running, as the user answers).
 */
export async function convert(
  client: ApiClient,
  file: string,
  opts: UploadOptions & { out?: string; readAlong?: boolean; clean?: boolean },
): Promise<number> {
  const { out: wanted, readAlong, clean, ...upload } = opts;
  const { id } = await client.upload(file, upload);
  const bar = new cliProgress.SingleBar(
    {
      format: `${path.basename(file)} [{bar}] {value}/{total} chapters | {status} | ETA {left}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(1, 0, { status: 'UPLOADED', left: timeLeft(undefined, 0) });
  const show = (status: string, progress?: Progress) => {
    if (progress && progress.total > 0) bar.setTotal(progress.total);
    const left = timeLeft(progress, (Date.now() - started) / 1000);
    bar.update(progress?.done ?? bar.getProgress() * bar.getTotal(), { status, left });
  };
  // Once Ctrl-C is pressed the book's own end no longer decides the outcome: 130, at once.
  const interrupt = new AbortController();
  const outcome = await Promise.race([
    finished(client, id, show, interrupt.signal),
    interrupted(client, id, bar, interrupt),
  ]);
  bar.stop();
  if (typeof outcome === 'number') return outcome;
  if (outcome.status !== 'READY') {
    process.stderr.write(`${outcome.status}: ${outcome.error ?? 'cancelled'}\n`);
    // The command line's own words for retrying what failed.
    if (outcome.retry) process.stderr.write(`to retry what failed: bookflow retry ${id}\n`);
    return 1;
  }
  const out = wanted ?? defaultOutput(file, outcome.format);
  await client.download(id, out);
  process.stdout.write(`${out}\n`);
  if (readAlong) {
    const epub = path.join(
      path.dirname(out),
      `${path.basename(file, path.extname(file))}.readalong.epub`,
    );
    await client.download(id, epub, 'readalong');
    process.stdout.write(`${epub}\n`);
  }
  // A failed book is kept either way, for `bookflow retry`.
  if (clean) {
    await client.purge(id);
    process.stderr.write(`deleted the book's files and record (${id})\n`);
  }
  return 0;
}

/**
 * The time left, by words: the pace of the words read so far over the words still to read
 * (chapters differ too much in length to count them). "–" until a chapter is done.
 */
export function timeLeft(progress: Progress | undefined, elapsedSec: number): string {
  const done = progress?.wordsDone ?? 0;
  const total = progress?.wordsTotal ?? 0;
  if (done <= 0 || elapsedSec <= 0) return '–';
  const sec = Math.max(0, Math.round((elapsedSec / done) * (total - done)));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${sec % 60}s` : `${sec}s`;
}

/** Resolves with the book once it is READY, FAILED or CANCELLED, reporting progress meanwhile. */
function finished(
  client: ApiClient,
  id: string,
  show: (status: string, progress?: Progress) => void,
  interrupted: AbortSignal,
): Promise<Book> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    interrupted.addEventListener('abort', () => stop(), { once: true });
    const check = async () => {
      const book = await client.get(id);
      if (interrupted.aborted) return;
      show(book.status, book.progress);
      if (FINAL.includes(book.status)) {
        stop();
        resolve(book);
      }
    };
    stop = client.follow(id, (kind, data) => {
      if (interrupted.aborted) return;
      const d = data as { status: string; progress?: Progress };
      // Chapter events carry progress; a book's change (or the stream's start) is read whole.
      if (kind === 'chapter') show('GENERATING', d.progress);
      else void check().catch(reject);
    });
  });
}

/**
 * Ctrl-C asks whether to cancel the book or leave it running (without a
 * terminal to ask, it is left running); either way the command ends with 130.
 */
function interrupted(
  client: ApiClient,
  id: string,
  bar: cliProgress.SingleBar,
  interrupt: AbortController,
): Promise<number> {
  return new Promise((resolve) => {
    process.once('SIGINT', async () => {
      interrupt.abort();
      bar.stop();
      let cancel = false;
      if (process.stdin.isTTY) {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question('Cancel the book on the server? [y/N] ');
        rl.close();
        cancel = /^y/i.test(answer.trim());
      }
      if (cancel) await client.cancel(id);
      process.stderr.write(cancel ? `cancelled ${id}\n` : `left running: bookflow status ${id}\n`);
      resolve(INTERRUPTED);
    });
  });
}
