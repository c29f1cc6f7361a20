import os from 'node:os';
import { Worker as Thread, type WorkerOptions } from 'node:worker_threads';
import { COMPILED } from './source-files.js';

const BOOT = new URL('./thread-boot.mjs', import.meta.url);

/**
 * A worker thread running our module at `entry` (source-files.ts sourceFile): compiled, as
 * it is; TypeScript, through thread-boot.mjs, which registers tsx in the thread first.
 */
export function startThread(
  entry: URL,
  options: Omit<WorkerOptions, 'workerData'> & { data?: unknown } = {},
): Thread {
  const { data, ...rest } = options;
  const workerData = { entry: entry.href, ...(data as object) };
  return new Thread(COMPILED ? entry : BOOT, { ...rest, workerData });
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
 * in turn the first finishes as soon as it would alone. A task still running after
 * `yieldAfterMs` gives its turn to the next and runs on beside it, so one slow task (a
 * hostile book parsing until its deadline) holds the others back no longer than that.
 */
export function oneAtATimePerCore<T>(opts: { yieldAfterMs?: number } = {}) {
  let running = 0;
  const waiting: (() => void)[] = [];
  // A turn given back goes to the next in line, never left for a newcomer to take.
  const giveBack = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return async (task: () => Promise<T>): Promise<T> => {
    if (running >= os.availableParallelism()) await new Promise<void>((r) => waiting.push(r));
    else running++;
    let given = false;
    const yieldTurn = () => {
      if (given) return;
      given = true;
      giveBack();
    };
    const timer = opts.yieldAfterMs ? setTimeout(yieldTurn, opts.yieldAfterMs) : undefined;
    try {
      return await task();
    } finally {
      clearTimeout(timer);
      yieldTurn();
    }
  };
}
