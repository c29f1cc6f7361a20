import os from 'node:os';
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

/**
 * Runs the tasks given it at most one per core at once, the rest waiting their turn in the
 * order they came. CPU-bound work (parsing books, building read-alongs) gains nothing from
 * more threads than cores: run all at once they share the cores and all finish late, while
 * in turn the first finishes as soon as it would alone.
 */
export function oneAtATimePerCore<T>() {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task: () => Promise<T>): Promise<T> => {
    // A slot freed is handed to the next in line, never left for a newcomer to take.
    if (running >= os.availableParallelism()) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
