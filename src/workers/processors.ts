import type { Job } from 'bullmq';
import { JOBS, type JobName } from '../../flows/index.js';
import { createDeliverProcessor } from './deliver-book-processor.js';
import { createFinalizeProcessor } from './finalize-book-processor.js';
import { createGenerateAudioProcessor } from './generate-audio-processor.js';
import { createMergeProcessor } from './merge-audiobook-processor.js';
import { createParseProcessor } from './parse-epub-processor.js';
import { createPreviewProcessor } from './preview-audio-processor.js';
import { createVoiceInstallProcessor } from './voice-install-processor.js';
import type { WorkerDeps } from './worker-deps.js';

export type JobProcessor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/** Exactly one processor per job name; the contract test holds this table to the flows contract. */
export const PROCESSOR_FACTORIES: Record<JobName, (deps: WorkerDeps) => JobProcessor> = {
  [JOBS.parseEpub]: createParseProcessor,
  [JOBS.generateAudio]: createGenerateAudioProcessor,
  [JOBS.mergeAudiobook]: createMergeProcessor,
  [JOBS.finalizeBook]: createFinalizeProcessor,
  [JOBS.previewAudio]: createPreviewProcessor,
  [JOBS.deliverBook]: createDeliverProcessor,
  [JOBS.installVoice]: createVoiceInstallProcessor,
};
