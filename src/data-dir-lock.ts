import fs from 'node:fs/promises';
import path from 'node:path';

/** A start-up that cannot go on, said in one line a person can act on. */
export class StartError extends Error {
  override name = 'StartError';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Claims DATA_DIR for this process while it runs an embedded PostgreSQL there:
 * a second `npm start` on the same folder is refused with the first one's pid
 * and address, instead of failing deep inside PostgreSQL. A lock left by a
 * process that is gone is taken over.
 */
export async function lockDataDir(dir: string, url: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'bookflow.lock');
  await fs.mkdir(dir, { recursive: true });
  const held = await fs.readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as { pid?: number; url?: string },
    () => undefined,
  );
  if (held?.pid && held.pid !== process.pid && alive(held.pid)) {
    throw new StartError(
      `DATA_DIR ${dir} is in use by another bookflow (pid ${held.pid}, ${held.url ?? 'no address'}); stop it, or set DATA_DIR to another folder`,
    );
  }
  await fs.writeFile(file, JSON.stringify({ pid: process.pid, url }));
  return () => fs.rm(file, { force: true });
}
