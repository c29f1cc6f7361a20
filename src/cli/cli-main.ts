import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SPEED_RANGE } from '../../flows/ranges.js';
import { cliDataDir } from '../data-dir.js';
import { safeFileName } from '../text/clean-text.js';
import { type ApiClient, ApiRefusal, createApiClient } from './api-client.js';
import { convert, INTERRUPTED } from './convert-command.js';
import { voicesCommands } from './voices-command.js';

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a chapter number (1, 2, …)');
  return n;
};
const speed = (value: string) => {
  const n = Number(value);
  const { minimum, maximum } = SPEED_RANGE;
  if (!(n >= minimum && n <= maximum))
    throw new InvalidArgumentError(`a number from ${minimum} to ${maximum}`);
  return n;
};

/**
 * Runs `work` against the server given (`--server`, or BOOKFLOW_URL) or, with
 * none, against the whole service started in this process on DATA_DIR, as
 * `npm start` would. Sets the exit code `work` answers; a refusal by the API is
 * printed in its own words, with exit code 1.
 */
async function withService(
  program: Command,
  work: (client: ApiClient) => Promise<number | undefined>,
): Promise<void> {
  const { server, token } = program.opts<{ server?: string; token?: string }>();
  let embedded: { url: string; close(): Promise<void> } | undefined;
  try {
    let url = server;
    if (!url) {
      const dataDir = cliDataDir();
      process.stderr.write(`starting bookflow in this process (its data in ${dataDir})…\n`);
      // Loaded only here: the whole service is most of a start's time (`--help`: 2.3 → 0.5 s).
      const { startEmbeddedService } = await import('./embedded-service.js');
      embedded = await startEmbeddedService({ ...process.env, DATA_DIR: dataDir });
      url = embedded.url;
    }
    const client = createApiClient(url, token);
    process.exitCode = (await work(client).finally(client.close)) ?? 0;
  } catch (err) {
    const refusal = err instanceof ApiRefusal;
    process.stderr.write(`bookflow: ${(err as Error).message}\n`);
    process.exitCode = refusal ? 1 : 2;
  } finally {
    await embedded?.close();
  }
  // Ctrl-C ends the command at once, whatever still listens (a stream closing, a request).
  if (process.exitCode === INTERRUPTED) process.exit(INTERRUPTED);
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export function buildProgram(): Command {
  const program = new Command('bookflow')
    .description('Turn EPUB books into audiobooks with bookflow.')
    .option(
      '--server <url>',
      'a bookflow API (default: $BOOKFLOW_URL; none: run one in this process)',
      process.env.BOOKFLOW_URL,
    )
    .option(
      '--token <token>',
      'its API token (default: $BOOKFLOW_TOKEN)',
      process.env.BOOKFLOW_TOKEN,
    );
  convertCommand(program);
  readCommands(program);
  actionCommands(program);
  voicesCommands(program);
  return program;
}

function convertCommand(program: Command): void {
  program
    .command('convert <file>')
    .description(
      'upload an EPUB, follow it, download the audiobook when READY (exit 0), or say why it failed (exit 1)',
    )
    .option(
      '-o, --out <file>',
      'where to write the audiobook (default: the EPUB name, .m4b or .mp3)',
    )
    .option('--voice <id>', 'a voice of GET /voices (default: follows the book language)')
    .option('--speed <n>', 'speaking rate, 0.5 to 2', speed)
    .option('--format <format>', 'm4b (chapters, default) or mp3')
    .option('--read-along', 'also write <name>.readalong.epub: the book, highlighted as it is read')
    .option('--clean', "once the audiobook is written, delete the book's files and record here")
    .action((file: string, o) =>
      withService(program, (client) => convert(client, path.resolve(file), o)),
    );
}

function readCommands(program: Command): void {
  program
    .command('ls')
    .description('list the books, newest first')
    .action(() =>
      withService(program, async (client) => {
        for (const b of (await client.list()).books) {
          print(
            `${b.id}  ${b.status.padEnd(10)} ${`${b.progress.done}/${b.progress.total}`.padStart(9)}  ${b.title ?? '(untitled)'}`,
          );
        }
        return 0;
      }),
    );

  program
    .command('status <id>')
    .description('a book: its status, and each chapter with its state and attempts')
    .action((id: string) =>
      withService(program, async (client) => {
        const b = await client.get(id);
        print(
          `${b.title ?? '(untitled)'}: ${b.status}, ${b.progress.done}/${b.progress.total} chapters`,
        );
        if (b.error) print(`  ${b.error}`);
        if (b.retry) print(`  to retry what failed: bookflow retry ${id}`);
        for (const c of b.chapters) {
          print(
            `  ${String(c.n).padStart(4)}  ${c.status.padEnd(9)} attempts ${c.attempts}  ${c.title}${c.error ? `: ${c.error}` : ''}`,
          );
        }
        return 0;
      }),
    );
}

function actionCommands(program: Command): void {
  program
    .command('retry <id>')
    .description("retry a book's failed chapters and steps, or one chapter")
    .option('--chapter <n>', 'only this chapter', positive)
    .action((id: string, o: { chapter?: number }) =>
      withService(program, async (client) => {
        for (const job of (await client.retry(id, o.chapter)).retried) print(`retried ${job}`);
        return 0;
      }),
    );

  program
    .command('cancel <id>')
    .description('cancel a book: its jobs stop, its files are removed')
    .action((id: string) =>
      withService(program, async (client) => {
        print(`${id}: ${(await client.cancel(id)).status}`);
        return 0;
      }),
    );

  program
    .command('download <id>')
    .description("download a READY book's audio, or one finished chapter's")
    .option('--chapter <n>', 'only this chapter', positive)
    .option(
      '-o, --out <file>',
      'where to write it (default: <title>.m4b, or <title> - <n>.m4a; .mp3 for mp3)',
    )
    .action((id: string, o: { chapter?: number; out?: string }) =>
      withService(program, async (client) => {
        const book = await client.get(id);
        const ext = book.format === 'mp3' ? 'mp3' : o.chapter ? 'm4a' : 'm4b';
        const name = safeFileName(book.title ?? '', id);
        const out = o.out ?? (o.chapter ? `${name} - ${o.chapter}.${ext}` : `${name}.${ext}`);
        print(await client.download(id, out, o.chapter));
        return 0;
      }),
    );
}
