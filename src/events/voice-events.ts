import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';
import type { VoiceInstallRow } from '../db/schema.js';

export type VoiceEvents = Awaited<ReturnType<typeof startVoiceEvents>>;

/**
 * Voice installs as they change, for admins' event streams: the API listens on the channel
 * the `voice_installs` trigger notifies (migration 0020) and hands each changed row to the
 * streams that want it. A handful of rows (one per voice): each wake-up reads them all.
 */
export async function startVoiceEvents(deps: {
  listen: Database['listen'];
  books: Pick<BookQueries, 'voiceInstallList'>;
}) {
  const subscribers = new Set<(row: VoiceInstallRow) => void>();
  const seen = new Map<string, number>();
  let reading: Promise<void> = Promise.resolve();
  const changed = (row: VoiceInstallRow) => seen.get(row.voiceId) !== row.updatedAt.getTime();
  const read = (announce: boolean) => {
    reading = reading
      .then(async () => {
        for (const row of (await deps.books.voiceInstallList()).filter(changed)) {
          seen.set(row.voiceId, row.updatedAt.getTime());
          if (announce) for (const s of subscribers) s(row);
        }
      })
      .catch(() => {}); // the next notification (or reconnection) reads again
  };
  read(false);
  await reading;
  const unlisten = await deps.listen(
    'voice_installs',
    () => read(true),
    () => read(true),
  );
  return {
    /** Calls `send` with each install that changes from now on; answers how to stop. */
    subscribe(send: (row: VoiceInstallRow) => void): () => void {
      subscribers.add(send);
      return () => subscribers.delete(send);
    },
    stop: unlisten,
  };
}
