import os from 'node:os';
import { benchEventsLoad } from './events-load.js';
import { benchFairShare } from './fair-share.js';
import { benchFanOut } from './fan-out.js';
import { benchFleetBusy } from './fleet-busy.js';
import { benchKokoro, benchKokoroNovel } from './kokoro.js';
import { benchMerge } from './merge.js';
import { benchMetricsScrape } from './metrics-scrape.js';
import { benchNormalizeEspeak } from './normalize-espeak.js';
import { benchParseTextbook } from './parse-textbook.js';
import { benchPiper, benchPiperNovel } from './piper.js';
import { benchScaleCatalogue } from './scale-catalogue.js';
import { benchScaleQueue } from './scale-queue.js';
import { benchScaleThroughput } from './scale-throughput.js';
import { benchStartTime } from './start-time.js';
import { benchStatusLoad } from './status-load.js';
import { benchTimeToAudiobook } from './time-to-audiobook.js';
import { benchUploadMemory } from './upload-memory.js';

/**
 * `npm run bench` runs every scenario; `npm run bench -- <name>…` runs those named, with any
 * `--key=value` options given to them (sizes: `--books=1000000`).
 */
type Scenario = (opts: Record<string, string>) => Promise<Record<string, number | string>>;
const SCENARIOS: Record<string, Scenario> = {
  'time-to-audiobook': benchTimeToAudiobook,
  'fan-out-redis': () => benchFanOut('redis'),
  'fan-out-postgres': () => benchFanOut('postgres'),
  'status-load': benchStatusLoad,
  'events-load': benchEventsLoad,
  'fair-share': benchFairShare,
  'fleet-busy': benchFleetBusy,
  'upload-memory': benchUploadMemory,
  merge: () => benchMerge('m4b'),
  'merge-mp3': () => benchMerge('mp3'),
  piper: benchPiper,
  'metrics-scrape': benchMetricsScrape,
  'piper-novel': benchPiperNovel,
  kokoro: benchKokoro,
  'scale-catalogue': benchScaleCatalogue,
  'scale-queue': benchScaleQueue,
  'scale-throughput': benchScaleThroughput,
  'kokoro-novel': benchKokoroNovel,
  'normalize-espeak': benchNormalizeEspeak,
  'parse-textbook': benchParseTextbook,
  'start-time': benchStartTime,
};

/** Names that stand for several scenarios. */
const GROUPS: Record<string, string[]> = {
  scale: ['scale-catalogue', 'scale-queue', 'scale-throughput'],
};

const args = process.argv.slice(2);
const opts = Object.fromEntries(
  args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=') as [string, string]),
);
const wanted = args.filter((a) => !a.startsWith('--')).flatMap((a) => GROUPS[a] ?? [a]);
const unknown = wanted.filter((w) => !(w in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; have: ${Object.keys(SCENARIOS).join(', ')}\n`,
  );
  process.exit(2);
}
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
);
for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) {
  const figures = await (SCENARIOS[name] as Scenario)(opts);
  console.log(`${name}: ${JSON.stringify(figures)}`);
}
