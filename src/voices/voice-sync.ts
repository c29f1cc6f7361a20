import fs from 'node:fs/promises';
import path from 'node:path';
import type { VoiceInstallRow } from '../db/schema.js';
import { objectKeys } from '../storage/object-keys.js';
import type { Storage } from '../storage/storage.js';

/**
 * Copies the voices installed for the fleet (storage, `voices/`) that this process does not
 * have yet into its voices folder (DATA_DIR/voices), each file whole or not at all (fetched
 * beside, then renamed into place). Answers whether anything arrived.
 */
export async function syncVoices(
  installs: Pick<VoiceInstallRow, 'state' | 'files'>[],
  storage: Pick<Storage, 'getToFile'>,
  dir: string,
): Promise<boolean> {
  let arrived = false;
  for (const install of installs) {
    if (install.state !== 'DONE') continue;
    for (const file of install.files) {
      const dest = path.join(dir, file.dest);
      if ((await fs.stat(dest).catch(() => undefined))?.size === file.size) continue;
      await fs.mkdir(path.dirname(dest), { recursive: true });
      const part = `${dest}.sync-${process.pid}`;
      await storage.getToFile(objectKeys.voiceFile(file.dest), part);
      await fs.rename(part, dest);
      arrived = true;
    }
  }
  return arrived;
}
