import type { BookQueries } from '../books/book-queries.js';
import type { Database } from '../db/database.js';
import type { BookEventRow } from '../db/schema.js';
import type { EventFilter, EventQueries } from './event-queries.js';

export type EventHub = ReturnType<typeof createEventHub>;

/** One stream's side of the hub: what it wants and how it is written to. */
export interface Subscriber {
  filter: EventFilter;
  send(event: BookEventRow): void;
  /** Sent every `heartbeatMs`, so proxies keep an idle stream open. */
  heartbeat(): void;
  /** The hub is closing: end the stream (its client reconnects elsewhere and resumes). */
  end(): void;
}

export interface EventHubOptions {
  /** How long a hole in the ids is waited for (a transaction still committing) before it is passed. */
  gapWaitMs?: number;
  heartbeatMs?: number;
  /** Events older than this are deleted (hourly); a client further behind is told to reload. */
  keepMs?: number;
}

const PAGE = 1000;
const CHANNEL = 'book_events';

/**
 * The API process's one reader of book_events: it LISTENs on the channel the
 * triggers NOTIFY, reads what is new once per wake-up, and hands each event to
 * the streams that want it (no polling per subscriber). Streams see events in
 * id order, and a stream that resumes after id N is sent everything after N.
 *
 * Ids are taken when a transaction writes but seen when it commits, so id 7 can
 * become visible before id 6. The reader delivers ids in sequence and waits up
 * to `gapWaitMs` for a missing one before passing it (it was rolled back), so a
 * resumed stream never skips an event that a live one was sent later.
 */
export function createEventHub(
  deps: {
    listen: Database['listen'];
    events: EventQueries;
    /** Chapters done, failed and to read per book (the chapter queries' own count). */
    progress: BookQueries['progressOf'];
  },
  opts: EventHubOptions = {},
) {
  const { gapWaitMs = 1000, heartbeatMs = 15_000, keepMs = 24 * 3600_000 } = opts;
  const subscribers = new Set<Subscriber & { backlog?: BookEventRow[] }>();
  let cursor = 0;
  let gap: { id: number; since: number } | undefined;
  let reading: Promise<void> | undefined;
  let readAgain = false;
  let retry: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  let unlisten: (() => Promise<void>) | undefined;

  const wants = (f: EventFilter, e: BookEventRow) =>
    (f.owner === undefined || f.owner === e.owner) &&
    (f.bookId === undefined || f.bookId === e.bookId);

  function deliver(event: BookEventRow): void {
    for (const s of subscribers) {
      if (!wants(s.filter, event)) continue;
      if (s.backlog) s.backlog.push(event);
      else s.send(event);
    }
  }

  /** A hole at `id`: true once it has been waited for long enough. */
  function gapPassed(id: number): boolean {
    if (gap?.id !== id) gap = { id, since: Date.now() };
    if (Date.now() - gap.since >= gapWaitMs) return true;
    retry ??= setTimeout(() => {
      retry = undefined;
      wake();
    }, gapWaitMs);
    return false;
  }

  /**
   * A chapter event carries its book's progress, counted here, once per page, when every
   * event up to it has committed: its trigger could not count it, as it cannot see chapters
   * finishing in other transactions at the same moment (so the last progress a stream gets
   * is the true one; a resumed stream's earlier events carry the progress as it is now).
   */
  async function withProgress(rows: BookEventRow[]): Promise<BookEventRow[]> {
    const books = [...new Set(rows.filter((r) => r.kind === 'chapter').map((r) => r.bookId))];
    if (books.length === 0) return rows;
    const counts = await deps.progress(books);
    return rows.map((r) =>
      r.kind === 'chapter' ? { ...r, data: { ...r.data, progress: counts.get(r.bookId) } } : r,
    );
  }

  /** Delivers what follows the cursor in sequence; false when it stopped at a hole or the end. */
  async function readPage(): Promise<boolean> {
    const rows = await withProgress(await deps.events.after(cursor, {}, PAGE));
    for (const row of rows) {
      if (row.id !== cursor + 1 && !gapPassed(cursor + 1)) return false;
      cursor = row.id;
      gap = undefined;
      deliver(row);
    }
    return rows.length === PAGE;
  }

  /**
   * Reads until nothing new is left; wake-ups during a read make it read once more. A read
   * that fails (PostgreSQL unavailable) is tried again a second later; the listening session
   * reconnects by itself and wakes the reader too.
   */
  function wake(): void {
    readNew().catch(() => {
      retry ??= setTimeout(() => {
        retry = undefined;
        wake();
      }, 1000);
    });
  }

  function readNew(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        while (await readPage());
      } while (readAgain);
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  async function start(): Promise<void> {
    cursor = await deps.events.latestId();
    // Called on every (re)connection of the listening session: catch up on what came meanwhile.
    unlisten = await deps.listen(CHANNEL, wake, wake);
    const heartbeat = () => {
      for (const s of subscribers) s.heartbeat();
    };
    timers.push(setInterval(heartbeat, heartbeatMs));
    timers.push(setInterval(() => void deps.events.prune(keepMs).catch(() => {}), 3600_000));
    for (const t of timers) t.unref();
  }

  /**
   * Adds a stream. With `afterId` (its Last-Event-ID) it is first sent what came
   * after that id; live events arriving meanwhile wait, so the order holds.
   * Answers `resumed: false` when events after `afterId` were already pruned.
   */
  async function subscribe(
    subscriber: Subscriber,
    afterId?: number,
  ): Promise<{ unsubscribe(): void; cursor: number; resumed: boolean }> {
    const s: Subscriber & { backlog?: BookEventRow[] } = { ...subscriber };
    const upTo = cursor;
    const unsubscribe = () => void subscribers.delete(s);
    if (afterId === undefined || afterId >= upTo) {
      subscribers.add(s);
      return { unsubscribe, cursor: upTo, resumed: afterId === undefined || afterId === upTo };
    }
    s.backlog = [];
    subscribers.add(s);
    const oldest = await deps.events.oldestId();
    const resumed = oldest !== undefined && oldest <= afterId + 1;
    for (let from = afterId; ; ) {
      const rows = await withProgress(await deps.events.after(from, s.filter, PAGE, upTo));
      for (const row of rows) s.send(row);
      if (rows.length < PAGE) break;
      from = rows[rows.length - 1]?.id ?? upTo;
    }
    const backlog = s.backlog;
    s.backlog = undefined;
    for (const row of backlog) s.send(row);
    return { unsubscribe, cursor: upTo, resumed };
  }

  async function close(): Promise<void> {
    for (const t of timers) clearInterval(t);
    clearTimeout(retry);
    await unlisten?.().catch(() => {});
    for (const s of subscribers) s.end();
    subscribers.clear();
  }

  return { start, subscribe, close, readNew };
}
