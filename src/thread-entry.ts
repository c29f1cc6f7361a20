import { Worker as Thread, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./thread-boot.mjs', import.meta.url);

/** A worker thread running the TypeScript module at `entry` (see thread-boot.mjs). */
export function startThread(
  entry: URL,
  options: Omit<WorkerOptions, 'workerData'> & { data?: unknown } = {},
): Thread {
  const { data, ...rest } = options;
  return new Thread(BOOT, { ...rest, workerData: { entry: entry.href, ...(data as object) } });
}
