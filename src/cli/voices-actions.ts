/** What `bookflow voices …` does (voices-command.ts loads it when one is run). */
import { cliDataDir } from '../data-dir.js';
import { voicesDir } from '../tts/voice-folders.js';
import { DEFAULT_SOURCES, fetchCatalogue, sizeOf } from '../voices/voice-catalogue.js';
import {
  closestIds,
  installedIds,
  installVoice,
  lookUpVoice,
  removeVoice,
} from '../voices/voice-store.js';

const print = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The catalogues, from PIPER_VOICES_URL and KOKORO_URL (a mirror) or Hugging Face. */
const catalogue = () =>
  fetchCatalogue({
    piperUrl: process.env.PIPER_VOICES_URL ?? DEFAULT_SOURCES.piperUrl,
    kokoroUrl: process.env.KOKORO_URL ?? DEFAULT_SOURCES.kokoroUrl,
  });

/** A progress bar on stderr, redrawn in place on a terminal and every 10 % elsewhere. */
function progressBar(id: string) {
  let shown = -1;
  return (done: number, total: number) => {
    const share = total > 0 ? done / total : 1;
    const step = Math.floor(share * 10);
    if (!process.stderr.isTTY && step === shown) return;
    shown = step;
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    const line = `${id} [${bar}] ${Math.floor(share * 100)}% ${mb(done)} of ${mb(total)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
  };
}

export async function list(): Promise<number> {
  const installed = installedIds(voicesDir(cliDataDir()));
  print(['id', 'engine', 'language', 'quality', 'size', 'licence', 'installed'].join('\t'));
  for (const v of await catalogue()) {
    const size = sizeOf(v.files);
    const row = [v.id, v.engine, v.language, v.quality, mb(size), v.licence];
    print([...row, installed.has(v.id) ? 'yes' : 'no'].join('\t'));
  }
  return 0;
}

export async function add(id: string): Promise<number> {
  const { voice, closest } = lookUpVoice(await catalogue(), id);
  if (!voice) {
    process.stderr.write(
      `bookflow: no voice ${id} in the catalogue; closest: ${closest.join(', ')}\n`,
    );
    return 1;
  }
  const dir = voicesDir(cliDataDir());
  await installVoice(voice, dir, progressBar(voice.id));
  if (process.stderr.isTTY) process.stderr.write('\n');
  print(`installed ${voice.id} in ${dir} (${voice.licence})`);
  return 0;
}

export function remove(id: string): number {
  const dir = voicesDir(cliDataDir());
  if (removeVoice(id, dir)) {
    print(`removed ${id}`);
    return 0;
  }
  const near = closestIds(id, [...installedIds(dir)]);
  process.stderr.write(
    `bookflow: ${id} is not installed${near.length ? `; installed: ${near.join(', ')}` : ''}\n`,
  );
  return 1;
}
