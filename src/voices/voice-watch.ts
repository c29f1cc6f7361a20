import type { FastifyBaseLogger } from 'fastify';
import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';
import type { VoiceInstallRow } from '../db/schema.js';
import type { Storage } from '../storage/storage.js';
import { syncVoices } from './voice-sync.js';

const CHANNEL = 'voice_installs';

/**
 * Keeps a process's voices up with the fleet's: at start and whenever an install changes
 * (NOTIFY on `voice_installs`, and on each reconnection, when one may have been missed),
 * copies what is new from storage into its voices folder and, if anything arrived, reloads
 * its engines (`reload`). `onChange` hears every install's row (admins' event streams).
 */
export async function watchVoices(deps: {
  listen: Database['listen'];
  books: Pick<BookQueries, 'voiceInstallList'>;
  storage: Pick<Storage, 'getToFile'>;
  dir: string;
  reload(): void;
  log: Pick<FastifyBaseLogger, 'info' | 'error'>;
  onChange?(rows: VoiceInstallRow[]): void;
}): Promise<() => Promise<void>> {
  let running: Promise<void> = Promise.resolve();
  const check = () => {
    running = running.then(async () => {
      try {
        const rows = await deps.books.voiceInstallList();
        deps.onChange?.(rows);
        if (await syncVoices(rows, deps.storage, deps.dir)) {
          deps.reload();
          deps.log.info(
            { voices: rows.filter((r) => r.state === 'DONE').length },
            'voices reloaded',
          );
        }
      } catch (err) {
        deps.log.error({ err }, 'could not bring the installed voices here');
      }
    });
  };
  check();
  await running;
  return deps.listen(CHANNEL, check, check);
}
