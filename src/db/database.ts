import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { packageFile } from '../source-files.js';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  db: Db;
  /** Cheap reachability probe for /ready. */
  ping(): Promise<void>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel`, and `onListen` each time listening
   * (re)starts, so a caller can catch up on what it missed while disconnected.
   */
  listen(channel: string, onNotify: () => void, onListen: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The moment `ms` before the database's now, for comparing timestamps with an age. */
export const ago = (ms: number) => sql`now() - make_interval(secs => ${ms / 1000})`;

const MIGRATIONS_DIR = fileURLToPath(packageFile('migrations'));

/** Arbitrary constant: the advisory lock that serialises migrators. */
const MIGRATION_LOCK = 4_242_001;

/**
 * Connects and applies pending migrations. API and worker processes may start
 * together; an advisory lock lets exactly one of them migrate at a time.
 */
export async function openDatabase(url: string): Promise<Database> {
  const sqlClient = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzle(sqlClient, { schema });
  const lockConn = await sqlClient.reserve();
  try {
    await lockConn`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await lockConn`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    lockConn.release();
  }
  return {
    db,
    ping: async () => {
      await sqlClient`select 1`;
    },
    listen: async (channel, onNotify, onListen) => {
      const { unlisten } = await sqlClient.listen(channel, onNotify, onListen);
      return unlisten;
    },
    close: () => sqlClient.end({ timeout: 5 }),
  };
}
