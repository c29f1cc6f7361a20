import type { JobsOptions } from 'bullmq';

/**
 * The one place queue and job names are spelled. API and workers import these;
 * a contract test fails the build if either string appears anywhere else.
 * Each queue carries exactly one job name, so a worker pool can be scaled per
 * kind of work (`WORKER_QUEUES=tts` on the speech machines, the rest elsewhere).
 */
export const QUEUES = {
  parse: 'book-parse',
  tts: 'book-tts',
  merge: 'book-merge',
  finalize: 'book-finalize',
  /** Short samples heard before committing: a chapter's opening, a voice's sample sentence. */
  preview: 'book-preview',
  /** A READY book pushed to where people listen (Audiobookshelf). */
  deliver: 'book-deliver',
  /** A voice downloaded once into storage, for every speech worker (POST /voices/:id/install). */
  voices: 'voice-install',
} as const;

export type QueueKey = keyof typeof QUEUES;
export type QueueName = (typeof QUEUES)[QueueKey];

export const JOBS = {
  parseEpub: 'parse-epub',
  generateAudio: 'generate-audio',
  mergeAudiobook: 'merge-audiobook',
  finalizeBook: 'finalize-book',
  previewAudio: 'preview-audio',
  deliverBook: 'deliver-book',
  installVoice: 'install-voice',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which queue each job name lives on. */
export const JOB_QUEUE: Record<JobName, QueueKey> = {
  [JOBS.parseEpub]: 'parse',
  [JOBS.generateAudio]: 'tts',
  [JOBS.mergeAudiobook]: 'merge',
  [JOBS.finalizeBook]: 'finalize',
  [JOBS.previewAudio]: 'preview',
  [JOBS.deliverBook]: 'deliver',
  [JOBS.installVoice]: 'voices',
};

export const QUEUE_KEYS = Object.keys(QUEUES) as QueueKey[];

const WEEK_SECONDS = 7 * 24 * 3600;

/**
 * Per-queue job options. A READY book's whole tree is removed when it finishes
 * (finalize-book removes the rest, then itself), so the backend holds nothing
 * for finished books; the week-long removeOnComplete only bounds what a book
 * that never finishes leaves behind. Failed jobs are never auto-removed, so a
 * failed chapter holds its book visibly until someone retries or cancels it. generate-audio keeps BullMQ's
 * default failure semantics on purpose: no failParentOnFailure /
 * ignoreDependencyOnFailure / removeDependencyOnFailure.
 */
export const JOB_OPTIONS: Record<QueueKey, JobsOptions> = {
  parse: {
    attempts: 2,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: WEEK_SECONDS },
    removeOnFail: false,
  },
  tts: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: WEEK_SECONDS },
    removeOnFail: false,
  },
  merge: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: WEEK_SECONDS },
    removeOnFail: false,
  },
  finalize: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: false,
  },
  // Someone is waiting for it: one attempt, and its answer kept an hour for the same request.
  preview: {
    attempts: 1,
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 3600 },
  },
  // A server that is away for a while: eight tries over about eight and a half minutes (4 s,
  // doubling: 4 + 8 + … + 256 s between them); the book stays READY.
  deliver: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 4000 },
    removeOnComplete: { age: WEEK_SECONDS },
    removeOnFail: { age: WEEK_SECONDS },
  },
  // A download cut by the network goes on where it stopped (voice-download.ts), a minute later.
  voices: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: true,
    removeOnFail: { age: WEEK_SECONDS },
  },
};
