import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VoiceInstallRow } from '../../src/db/schema.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { objectKeys } from '../../src/storage/object-keys.js';
import { watchVoices } from '../../src/voices/voice-watch.js';
import { tempDir } from '../support/services.js';

const FILE = { dest: 'piper/v/v.onnx', size: 5 };
const row = (state: VoiceInstallRow['state']): VoiceInstallRow => ({
  voiceId: 'piper:v',
  state,
  doneBytes: 0,
  totalBytes: 5,
  files: [FILE],
  error: null,
  updatedAt: new Date(),
});

/** A process's voices kept up with the fleet's: copied from storage, engines reloaded. */
describe('watching the fleet voice installs', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function watch(rows: VoiceInstallRow[], local: string) {
    const storage = createLocalStorage(path.join(dir as string, 'objects'));
    await storage.put(objectKeys.voiceFile(FILE.dest), Buffer.from('model'));
    let notify = () => {};
    const reloads: number[] = [];
    await watchVoices({
      listen: async (_channel, onNotify) => {
        notify = onNotify;
        return async () => {};
      },
      books: { voiceInstallList: async () => rows },
      storage,
      dir: local,
      reload: () => reloads.push(Date.now()),
      log: { info: () => {}, error: () => {} },
    });
    return { reloads, notify: () => notify() };
  }
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('copies a voice installed elsewhere from storage, and reloads the engines', async () => {
    dir = await tempDir('bookflow-watch-');
    const rows = [row('RUNNING')];
    const local = path.join(dir, 'voices');
    const w = await watch(rows, local);
    expect(w.reloads).toHaveLength(0);
    rows[0] = row('DONE');
    w.notify();
    await settle();
    expect(await fs.readFile(path.join(local, FILE.dest), 'utf8')).toBe('model');
    expect(w.reloads).toHaveLength(1);
    w.notify(); // nothing new: no reload
    await settle();
    expect(w.reloads).toHaveLength(1);
  });

  it('reloads when the install wrote into this very folder (one machine)', async () => {
    dir = await tempDir('bookflow-watch-');
    const local = path.join(dir, 'voices');
    await fs.mkdir(path.dirname(path.join(local, FILE.dest)), { recursive: true });
    await fs.writeFile(path.join(local, FILE.dest), 'model');
    const rows = [row('RUNNING')];
    const w = await watch(rows, local);
    rows[0] = row('DONE');
    w.notify();
    await settle();
    expect(w.reloads).toHaveLength(1);
  });
});
