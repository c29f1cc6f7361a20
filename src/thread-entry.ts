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

/**
 * Runs the module at `entry` in a thread of its own with `data` as its workerData, and
 * answers the one message it posts: `{ ok: true, ...result }`, or `{ ok: false, message }`.
 */
export function runInThread<T>(entry: URL, data: object): Promise<T> {
  const thread = startThread(entry, { data });
  return new Promise<T>((resolve, reject) => {
    thread.once('message', (answer: { ok: boolean; message?: string } & T) => {
      if (answer.ok) resolve(answer);
      else reject(new Error(answer.message));
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the thread stopped (exit code ${code})`)));
  }).finally(() => void thread.terminate());
}
