import os from 'node:os';

/**
 * Heavy work (synthesis, encoding) runs below the worker's event loop, which renews the job
 * locks and answers probes: on a busy machine the loop keeps its turn against its own heavy
 * work (a chapter's run also renews its own lock, workers/run-lock.ts). `pid` 0 is the calling
 * thread (Linux keeps a nice value per thread, and threads it starts inherit it). Where the
 * system refuses (no permission), the work runs at normal priority.
 */
export function belowNormal(pid = 0): void {
  try {
    os.setPriority(pid, os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not allowed here: normal priority
  }
}
