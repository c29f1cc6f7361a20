import type { FastifyBaseLogger } from 'fastify';
import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';
import type { Storage } from '../storage/storage.js';
import { syncVoices } from './voice-sync.js';

const CHANNEL = 'voice_installs';

/**
 * Keeps a process's voices up with the fleet's: at start and whenever an install changes
 * (NOTIFY on `voice_installs`, and on each reconnection, when one may have been missed),
 * copies what is new from storage into its voices folder and reloads its engines (`reload`)
 * when a voice was installed since it last looked: its files arrived from storage, or were
 * already here (the worker that installed it shares this folder: `npm start`).
 */
export async function watchVoices(deps: {
  listen: Database['listen'];
  books: Pick<BookQueries, 'voiceInstallList'>;
  storage: Pick<Storage, 'getToFile'>;
  dir: string;
  reload(): void;
  log: Pick<FastifyBaseLogger, 'info' | 'error'>;
}): Promise<() => Promise<void>> {
  let running: Promise<void> = Promise.resolve();
  // Unset until the first look: the engines were built from this folder just before it, so
  // only what arrives from storage then calls for building them again.
  let installed: Set<string> | undefined;
  const check = () => {
    running = running.then(async () => {
      try {
        const rows = await deps.books.voiceInstallList();
        const done = rows.filter((r) => r.state === 'DONE').map((r) => r.voiceId);
        const arrived = await syncVoices(rows, deps.storage, deps.dir);
        if (arrived || (installed && done.some((id) => !installed?.has(id)))) {
          deps.reload();
          deps.log.info({ voices: done }, 'voices reloaded');
        }
        installed = new Set(done);
      } catch (err) {
        deps.log.error({ err }, 'could not bring the installed voices here');
      }
    });
  };
  check();
  await running;
  return deps.listen(CHANNEL, check, check);
}
