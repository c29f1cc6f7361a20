import { UnrecoverableError } from 'bullmq';
import { isUnavailable } from '../db/db-retry.js';
import { EpubError } from '../epub/epub-limits.js';
import { TransientTtsError } from '../tts/openai-engine.js';
import { EngineUnavailableError, PermanentTtsError } from '../tts/tts-engine.js';

export type FailureClass = 'input' | 'engine' | 'storage' | 'database' | 'delivery' | 'other';

/** S3 and file-system failures: the storage, not the book or the engine. */
const STORAGE = /\b(NoSuchKey|NoSuchBucket|AccessDenied|SlowDown|ENOSPC|EACCES|EROFS)\b|S3|bucket/;

/** Where a job's failure came from, for the failures metric (bookflow_job_failures_total). */
export function failureClass(err: Error): FailureClass {
  if (err instanceof EpubError) return 'input';
  const engine = [PermanentTtsError, TransientTtsError, EngineUnavailableError];
  if (engine.some((kind) => err instanceof kind)) return 'engine';
  if (/speech|Piper|espeak/i.test(err.message)) return 'engine';
  // Before the database's: an unreachable server fails with the same connection errors.
  if (/^Abs/.test(err.name) || /Audiobookshelf/.test(err.message)) return 'delivery';
  if (isUnavailable(err) || /^Failed query/.test(err.message)) return 'database';
  if (STORAGE.test(`${err.name} ${err.message}`)) return 'storage';
  if (err instanceof UnrecoverableError && /payload/.test(err.message)) return 'input';
  return 'other';
}
