import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDeployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { type SpeechServer, startSpeechServer } from '../test/support/speech-server.js';

const SLOTS = 16;
const LATENCY_MS = 1000;
const BOOKS = 10;
const CHAPTERS = 10;

/** Chapters started per second under the limited run; each chapter is two requests (title, text). */
const LIMIT = 5;

/**
 * A remote speech fleet of K = 16 slots, 1 s a request (the local speech server taught
 * both), 10 books of 10 chapters (two requests each: title, text), two worker processes:
 * how busy the fleet's slots are from its first request to its last (target ≥ 95%),
 * beside the ideal makespan (every slot busy from the start); with the default
 * TTS_CONCURRENCY (8 a worker, K in all) and with 12 (1.5 K in all, for comparison).
 * Then with TTS_RATE_LIMIT=5/1s: chapters started per second (held to 5; BullMQ counts
 * fixed windows) and how busy the slots are that the limit allows (5 × 2 requests × 1 s).
 */
export async function benchFleetBusy(): Promise<Record<string, number | string>> {
  const byDefault = await fleetRun({});
  const wider = await fleetRun({ TTS_CONCURRENCY: '12' });
  const limited = await fleetRun({ TTS_CONCURRENCY: '12', TTS_RATE_LIMIT: `${LIMIT}/1s` });
  return {
    slots: SLOTS,
    latencySec: LATENCY_MS / 1000,
    requests: wider.requests,
    idealMakespanSec: wider.ideal,
    defaultBusyFraction: byDefault.busy,
    defaultMakespanSec: byDefault.makespan,
    busyFraction: wider.busy,
    busyOnceAllSlotsFull: wider.busyOnceFull,
    busyTarget: 0.95,
    makespanSec: wider.makespan,
    limit: `${LIMIT}/1s`,
    limitedChaptersPerSec: limited.chaptersPerSec,
    limitedBusyOfAllowed: limited.busyOfAllowed,
  };
}

async function fleetRun(extra: Record<string, string>) {
  const speech = await startSpeechServer({ slots: SLOTS, latencyMs: LATENCY_MS });
  const d = await createDeployment({
    env: () => ({
      TTS_ENGINE: 'openai',
      TTS_BASE_URL: speech.url,
      TTS_VOICES: 'alloy',
      ...extra,
    }),
  });
  try {
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
    const files = Array.from({ length: BOOKS }, (_, i) => path.join(d.dir, `book-${i}.epub`));
    for (const [i, file] of files.entries()) {
      await makeEpub(file, { chapters: CHAPTERS, words: 60, label: `Fleet${i}` });
    }
    // All ten at once, as a batch submitted together.
    const ids = await Promise.all(files.map(async (f) => (await d.api.upload(f)).body.id));
    for (const id of ids) {
      const book = await d.api.waitFor(id, ['READY', 'FAILED'], 600_000);
      if (book.status !== 'READY') throw new Error(`book ${id} ended ${book.status}`);
    }
    await sleep(100);
    return figures(speech);
  } finally {
    await d.stop();
    await speech.close();
  }
}

/** Slot use between the first request's start and the last one's (the tail has no work left). */
function figures(speech: SpeechServer) {
  const served = speech.served.filter(([s, e]) => e - s >= LATENCY_MS - 5); // probes are quick too
  const first = Math.min(...served.map(([s]) => s));
  const last = Math.max(...served.map(([s]) => s));
  const end = Math.max(...served.map(([, e]) => e));
  const busyMs = served.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, last) - s), 0);
  const windowMs = Math.max(1, last - first);
  // A chapter starts with its title, the request a limited chapter job makes first.
  const titles = speech.requests.filter((r) => /^Fleet\d+ chapter [a-z-]+/.test(r.body.input));
  const at = titles.map((r) => r.at);
  const titleSpanMs = Math.max(1, Math.max(...at) - Math.min(...at));
  // Each limited chapter keeps a slot two requests long: the slots the limit allows.
  const allowed = Math.min(SLOTS, LIMIT * 2 * (LATENCY_MS / 1000));
  const full = firstAllBusy(served);
  const steadyMs = served.reduce(
    (sum, [s, e]) => sum + Math.max(0, Math.min(e, last) - Math.max(s, full)),
    0,
  );
  return {
    requests: served.length,
    busy: round(busyMs / (SLOTS * windowMs)),
    busyOnceFull: round(steadyMs / (SLOTS * Math.max(1, last - full))),
    busyOfAllowed: round(busyMs / (allowed * windowMs)),
    makespan: round((end - first) / 1000),
    ideal: round((Math.ceil(served.length / SLOTS) * LATENCY_MS) / 1000),
    chaptersPerSec: round((titles.length - 1) / (titleSpanMs / 1000)),
  };
}

/** When all K slots were first busy at once (the batch's ramp-up is over). */
function firstAllBusy(served: [number, number][]): number {
  const events = served.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]) as [number, number][];
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let busy = 0;
  for (const [t, step] of events) {
    busy += step;
    if (busy >= SLOTS) return t;
  }
  return Math.max(...served.map(([s]) => s));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
