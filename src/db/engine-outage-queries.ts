import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from './database.js';
import { type EngineOutageRow, engineOutages } from './schema.js';

export type EngineOutages = ReturnType<typeof createEngineOutages>;

/**
 * The record of the speech engine's outages (the `engine_outages` table): workers open
 * and close them (workers/engine-breaker.ts), the API reports the open one (/ready).
 * Any number of worker processes may see the same outage: the first opens it, the
 * others' opens are no-ops, and the first to see the engine answer again closes it.
 */
export function createEngineOutages(db: Db, engine: string) {
  const open = and(eq(engineOutages.engine, engine), isNull(engineOutages.endedAt));

  /** Records that the engine went down (once per outage, whoever sees it first). */
  async function began(reason: string): Promise<void> {
    await db.insert(engineOutages).values({ engine, reason }).onConflictDoNothing();
  }

  /** Closes the open outage, if any. */
  async function ended(): Promise<void> {
    await db.update(engineOutages).set({ endedAt: new Date() }).where(open);
  }

  /** The outage under way, if the engine is down now. */
  async function current(): Promise<EngineOutageRow | undefined> {
    const [row] = await db
      .select()
      .from(engineOutages)
      .where(open)
      .orderBy(desc(engineOutages.startedAt))
      .limit(1);
    return row;
  }

  return { began, ended, current };
}
