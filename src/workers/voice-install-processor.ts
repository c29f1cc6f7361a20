import path from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { VoiceInstallPayload, type VoiceInstallResult } from '../../flows/index.js';
import { objectKeys } from '../storage/object-keys.js';
import { fetchCatalogue, findVoice, sizeOf } from '../voices/voice-catalogue.js';
import { installVoice } from '../voices/voice-store.js';
import { runJob } from './run-job.js';
import type { ProcessorDeps } from './worker-deps.js';

type Deps = ProcessorDeps<
  'storage' | 'log' | 'voices',
  'installProgress' | 'installDone' | 'installFailed'
>;

/** How often a download's progress is written (each write is an event on admins' streams). */
const PROGRESS_EVERY_MS = 500;

/**
 * Installs a voice for the whole fleet: its files downloaded from the catalogue (resumed where
 * a cut download stopped, checked against size and digest) into this process's voices folder,
 * then copied into storage, where every other process finds them (voices/voice-sync.ts).
 */
export function createVoiceInstallProcessor(deps: Deps) {
  const { books, storage } = deps;

  async function install(job: Job, id: string): Promise<VoiceInstallResult> {
    const voice = findVoice(await fetchCatalogue(deps.voices.sources), id);
    if (!voice) throw new UnrecoverableError(`no voice ${id} in the catalogue`);
    // Progress writes in order, the last before the end: DONE is never followed by RUNNING.
    let written = Promise.resolve();
    let last = 0;
    await installVoice(voice, deps.voices.dir, (done, total) => {
      if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
      last = Date.now();
      written = written
        .then(() => books.installProgress(id, done, total))
        .then(() => job.updateProgress(Math.round((done / Math.max(1, total)) * 100)))
        .catch(() => {});
    });
    await written;
    for (const file of voice.files)
      await storage.putFile(objectKeys.voiceFile(file.dest), path.join(deps.voices.dir, file.dest));
    const files = voice.files.map((f) => ({ dest: f.dest, size: f.size }));
    await books.installDone(id, files);
    const bytes = sizeOf(files);
    deps.log.info({ voice: id, bytes }, 'voice installed');
    return { kind: 'voice-installed', voice: id, bytes };
  }

  return (job: Job, _token?: string, signal?: AbortSignal) =>
    runJob(
      job,
      {
        payload: VoiceInstallPayload,
        run: ({ voice }) => install(job, voice),
        onFailure: ({ voice }, message, final) => books.installFailed(voice, message, final),
      },
      { signal, log: deps.log },
    );
}
