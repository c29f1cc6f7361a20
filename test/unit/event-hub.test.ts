import { describe, expect, it } from 'vitest';
import type { BookEventRow } from '../../src/db/schema.js';
import { createEventHub } from '../../src/events/event-hub.js';
import type { EventQueries } from '../../src/events/event-queries.js';

const row = (id: number, owner = 'a'): BookEventRow => ({
  id,
  bookId: `b-${owner}`,
  owner,
  kind: 'book',
  data: { id },
  createdAt: new Date(),
});

/** The table as the hub sees it: rows become visible when a test "commits" them. */
function table() {
  const rows: BookEventRow[] = [];
  const events: EventQueries = {
    after: async (afterId, f, limit, upTo) =>
      rows
        .filter((r) => r.id > afterId && (upTo === undefined || r.id <= upTo))
        .filter((r) => f.owner === undefined || r.owner === f.owner)
        .sort((x, y) => x.id - y.id)
        .slice(0, limit),
    latestId: async () => Math.max(0, ...rows.map((r) => r.id)),
    oldestId: async () => (rows.length ? Math.min(...rows.map((r) => r.id)) : undefined),
    prune: async () => {},
  };
  return { rows, events };
}

function hubOver(events: EventQueries, gapWaitMs = 200) {
  let notify = () => {};
  const hub = createEventHub(
    {
      events,
      progress: async () => new Map(),
      listen: async (_channel, onNotify) => {
        notify = onNotify;
        return async () => {};
      },
    },
    { gapWaitMs },
  );
  return { hub, commit: () => notify() };
}

const collector = (owner?: string) => {
  const got: number[] = [];
  const sub = {
    filter: { owner },
    send: (e: BookEventRow) => got.push(e.id),
    heartbeat() {},
    end() {},
  };
  return { got, sub };
};

describe('the event hub', () => {
  it('holds back an id committed ahead of an earlier one, in order once it arrives', async () => {
    const { rows, events } = table();
    const { hub, commit } = hubOver(events);
    await hub.start();
    const { got, sub } = collector();
    await hub.subscribe(sub);
    rows.push(row(2));
    commit();
    await hub.readNew();
    expect(got).toEqual([]);
    rows.push(row(1));
    commit();
    await hub.readNew();
    expect(got).toEqual([1, 2]);
    await hub.close();
  });

  it('passes a hole that never fills (a rolled-back id) after the wait', async () => {
    const { rows, events } = table();
    const { hub, commit } = hubOver(events, 100);
    await hub.start();
    const { got, sub } = collector();
    await hub.subscribe(sub);
    rows.push(row(2), row(3));
    commit();
    await new Promise((r) => setTimeout(r, 250));
    await hub.readNew();
    expect(got).toEqual([2, 3]);
    await hub.close();
  });

  it("resumes after a client's last id, sends only its owner's, and says when it cannot", async () => {
    const { rows, events } = table();
    rows.push(row(5), row(6, 'b'), row(7));
    const { hub, commit } = hubOver(events);
    await hub.start();
    const { got, sub } = collector('a');
    expect((await hub.subscribe(sub, 5)).resumed).toBe(true);
    rows.push(row(8), row(9, 'b'));
    commit();
    await hub.readNew();
    expect(got).toEqual([7, 8]);
    const late = collector('a');
    expect((await hub.subscribe(late.sub, 2)).resumed).toBe(false);
    expect(late.got).toEqual([5, 7, 8]);
    await hub.close();
  });

  it('reads again after a failed read (PostgreSQL away), losing nothing', async () => {
    const { rows, events } = table();
    const after = events.after;
    let down = true;
    events.after = async (...args) => {
      if (down) throw new Error('connection refused');
      return after(...args);
    };
    const { hub, commit } = hubOver(events);
    await hub.start();
    const { got, sub } = collector();
    await hub.subscribe(sub);
    rows.push(row(1), row(2));
    commit();
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([]);
    down = false;
    await new Promise((r) => setTimeout(r, 1200));
    expect(got).toEqual([1, 2]);
    await hub.close();
  });
});
