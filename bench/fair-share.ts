import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient } from '../test/support/api-client.js';
import { createDeployment, type Deployment } from '../test/support/deployment.js';
import { makeEpub } from '../test/support/epub-maker.js';
import { startSpeechServer } from '../test/support/speech-server.js';

const A_BOOKS = 40;
const CHAPTERS = 20;
const B_AFTER_MS = 5000;
const TOKENS = { a: 'owner-a-token-0123456789', b: 'owner-b-token-0123456789' };

interface Finished {
  id: string;
  createdAt: string;
  readyAt: string | null;
  status: string;
}

/**
 * Owner A submits 40 books × 20 chapters; 5 s later owner B submits one. Two worker
 * processes speak against a fixed-latency speech server (0.3 s a request, any number at
 * once), with SCHEDULING=fifo (arrival order, as before) and fair, twice each in the same
 * run; each book's time is upload to READY. Targets: A's mean ≤ 0.6× fifo's, A's first
 * book ≤ 1.5× its time alone, B's book ≤ 2× its time alone, makespan ≤ 1.05× fifo's.
 */
export async function benchFairShare(): Promise<Record<string, number>> {
  // fifo, fair, fair, fifo: each figure the mean of two runs placed so that whatever drifts
  // over the bench (a machine warming, other load) weighs on both alike.
  const runs = [];
  for (const scheduling of ['fifo', 'fair', 'fair', 'fifo'] as const)
    runs.push({ scheduling, ...(await scenario(scheduling)) });
  const fifo = meanOf(runs.filter((r) => r.scheduling === 'fifo'));
  const fair = meanOf(runs.filter((r) => r.scheduling === 'fair'));
  return {
    fifoMeanA: fifo.meanA,
    fairMeanA: fair.meanA,
    meanARatio: round(fair.meanA / fifo.meanA),
    meanATarget: 0.6,
    soloSec: fair.solo,
    fifoFirstA: fifo.firstA,
    fairFirstA: fair.firstA,
    firstAOverSolo: round(fair.firstA / fair.solo),
    firstATarget: 1.5,
    fifoB: fifo.b,
    fairB: fair.b,
    bOverSolo: round(fair.b / fair.solo),
    bTarget: 2,
    fifoMakespan: fifo.makespan,
    fairMakespan: fair.makespan,
    makespanRatio: round(fair.makespan / fifo.makespan),
    makespanTarget: 1.05,
  };
}

async function scenario(scheduling: 'fifo' | 'fair') {
  const speech = await startSpeechServer({ latencyMs: 300 });
  const d = await createDeployment({
    env: () => ({
      TTS_ENGINE: 'openai',
      TTS_BASE_URL: speech.url,
      TTS_VOICES: 'alloy',
      TTS_CONCURRENCY: '4',
      SCHEDULING: scheduling,
      API_TOKENS: `a:${TOKENS.a},b:${TOKENS.b}`,
    }),
  });
  try {
    await d.start('api');
    await d.start('worker');
    await d.start('worker');
    const a = apiClient(d.api.base, TOKENS.a);
    const b = apiClient(d.api.base, TOKENS.b);
    const file = path.join(d.dir, 'book.epub');
    await makeEpub(file, { chapters: CHAPTERS, words: 20 });
    // The same book alone on the fleet: the time every later one is compared with.
    const solo = secondsOf(await finish(a, [(await a.upload(file)).body.id]));
    const t0 = Date.now();
    const late = sleep(B_AFTER_MS).then(async () => (await b.upload(file)).body.id);
    const aIds: string[] = [];
    for (let i = 0; i < A_BOOKS; i++) aIds.push((await a.upload(file)).body.id);
    const bId = await late;
    const aBooks = await finish(a, aIds);
    const [bBook] = await finish(b, [bId]);
    const times = aBooks.map((x) => seconds(x));
    const lastReady = Math.max(...[...aBooks, bBook as Finished].map(readyMs));
    return {
      solo: round(solo[0] as number),
      meanA: round(times.reduce((s, x) => s + x, 0) / times.length),
      firstA: round(times[0] as number),
      b: round(seconds(bBook as Finished)),
      makespan: round((lastReady - t0) / 1000),
    };
  } finally {
    await d.stop();
    await speech.close();
  }
}

/** Waits until every book is READY (or fails the bench), answering each book's record. */
async function finish(api: Deployment['api'], ids: string[]): Promise<Finished[]> {
  const deadline = Date.now() + 1_200_000;
  while (Date.now() < deadline) {
    const books = await Promise.all(ids.map(async (id) => (await api.get(id)).body));
    const failed = books.find((x) => x.status === 'FAILED' || x.status === 'CANCELLED');
    if (failed) throw new Error(`book ${failed.id} ended ${failed.status}: ${failed.error}`);
    if (books.every((x) => x.status === 'READY')) {
      const listed = await api.raw('/books?limit=100&status=READY');
      const all = ((await listed.json()) as { books: Finished[] }).books;
      return ids.map((id) => all.find((x) => x.id === id) as Finished);
    }
    await sleep(500);
  }
  throw new Error('the books did not finish in 20 minutes');
}

type Figures = Awaited<ReturnType<typeof scenario>>;

/** The mean of each figure over the runs given. */
function meanOf(runs: Figures[]): Figures {
  const mean = (key: keyof Figures) => round(runs.reduce((s, r) => s + r[key], 0) / runs.length);
  return {
    solo: mean('solo'),
    meanA: mean('meanA'),
    firstA: mean('firstA'),
    b: mean('b'),
    makespan: mean('makespan'),
  };
}

const readyMs = (b: Finished) => Date.parse(b.readyAt ?? '');
const seconds = (b: Finished) => (readyMs(b) - Date.parse(b.createdAt)) / 1000;
const secondsOf = (books: Finished[]) => books.map(seconds);
const round = (x: number) => Math.round(x * 100) / 100;
