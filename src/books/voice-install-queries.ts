import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { type VoiceInstallRow, voiceInstalls } from '../db/schema.js';

export type VoiceInstallQueries = ReturnType<typeof createVoiceInstallQueries>;

/** The fleet's voice installs (the `voice_installs` table): asked for, progressing, done. */
export function createVoiceInstallQueries(db: Db) {
  const now = sql`now()`;
  const row = (id: string) => eq(voiceInstalls.voiceId, id);

  /** Asked for (again): waiting for its job, counted afresh. */
  async function installRequested(voiceId: string, totalBytes: number): Promise<void> {
    const fresh = { state: 'PENDING' as const, doneBytes: 0, totalBytes, error: null };
    await db
      .insert(voiceInstalls)
      .values({ voiceId, ...fresh })
      .onConflictDoUpdate({ target: voiceInstalls.voiceId, set: { ...fresh, updatedAt: now } });
  }

  async function installProgress(voiceId: string, doneBytes: number, totalBytes: number) {
    await db
      .update(voiceInstalls)
      .set({ state: 'RUNNING', doneBytes, totalBytes, updatedAt: now })
      .where(row(voiceId));
  }

  async function installDone(voiceId: string, files: { dest: string; size: number }[]) {
    await db
      .update(voiceInstalls)
      .set({ state: 'DONE', files, error: null, updatedAt: now })
      .where(row(voiceId));
  }

  /** `final`: no try is left; otherwise it waits for the next. */
  async function installFailed(voiceId: string, error: string, final: boolean) {
    await db
      .update(voiceInstalls)
      .set({ state: final ? 'FAILED' : 'PENDING', error, updatedAt: now })
      .where(row(voiceId));
  }

  async function voiceInstall(voiceId: string): Promise<VoiceInstallRow | undefined> {
    const [found] = await db.select().from(voiceInstalls).where(row(voiceId));
    return found;
  }

  /** Every install, newest change first (a handful: one per voice). */
  function voiceInstallList(): Promise<VoiceInstallRow[]> {
    return db.select().from(voiceInstalls).orderBy(sql`${voiceInstalls.updatedAt} desc`);
  }

  return {
    installRequested,
    installProgress,
    installDone,
    installFailed,
    voiceInstall,
    voiceInstallList,
  };
}
