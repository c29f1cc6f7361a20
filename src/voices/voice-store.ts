import fs from 'node:fs';
import path from 'node:path';
import { installedPiperModels, kokoroDir, kokoroVoiceIds } from '../tts/voice-folders.js';
import { type CatalogueVoice, findVoice } from './voice-catalogue.js';
import { downloadAll, type Progress } from './voice-download.js';

/** Ids of every voice installed, engine-prefixed as the catalogue names them. */
export function installedIds(voices: string): Set<string> {
  return new Set([
    ...installedPiperModels(voices).map((m) => `piper:${path.basename(m, '.onnx')}`),
    ...kokoroVoiceIds(kokoroDir(voices)).map((id) => `kokoro:${id}`),
  ]);
}

/** Downloads what the voice needs and is not yet here; a cut download goes on where it stopped. */
export async function installVoice(
  voice: CatalogueVoice,
  voices: string,
  progress: Progress,
): Promise<void> {
  await downloadAll(voice.files, voices, progress);
}

/**
 * Removes a voice's own files. Kokoro's model and vocabulary stay for its other voices (and
 * go with the last one).
 */
export function removeVoice(id: string, voices: string): boolean {
  const [engine, name = ''] = id.split(':');
  if (!installedIds(voices).has(id)) return false;
  if (engine === 'piper') fs.rmSync(path.join(voices, 'piper', name), { recursive: true });
  else {
    fs.rmSync(path.join(kokoroDir(voices), 'voices', `${name}.bin`));
    if (kokoroVoiceIds(kokoroDir(voices)).length === 0)
      fs.rmSync(kokoroDir(voices), { recursive: true });
  }
  return true;
}

/** The catalogue's voice `id` names (or its bare name), else the ids closest to it. */
export function lookUpVoice(voices: CatalogueVoice[], id: string) {
  const voice = findVoice(voices, id);
  const closest = voice
    ? []
    : closestIds(
        id,
        voices.map((v) => v.id),
      );
  return { voice, closest };
}

/** The ids nearest `wanted` by edit distance (for "did you mean"). */
export function closestIds(wanted: string, ids: string[], count = 3): string[] {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(
          (row[j] as number) + 1,
          (next[j - 1] as number) + 1,
          (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      row = next;
    }
    return row[b.length] as number;
  };
  const bare = wanted.toLowerCase();
  return ids
    .map((id) => ({
      id,
      d: Math.min(
        distance(bare, id.toLowerCase()),
        distance(bare, id.split(':')[1]?.toLowerCase() ?? id),
      ),
    }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, count)
    .map((c) => c.id);
}
