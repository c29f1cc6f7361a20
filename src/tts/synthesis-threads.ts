import os from 'node:os';
import type { Worker as Thread } from 'node:worker_threads';
import { startThread } from '../thread-entry.js';

/** What a synthesis thread answers each request with (piper-thread.ts, kokoro-thread.ts). */
export type SynthesisAnswer = { ok: true; samples: Int16Array } | { ok: false; message: string };

interface Pending<Request> {
  request: Request;
  resolve(samples: Int16Array): void;
  reject(err: Error): void;
}

/**
 * The synthesis slots of an in-process engine (Piper, Kokoro): one worker thread per slot,
 * each given its share of the cores as the model's intra-op threads, so slots never
 * oversubscribe the machine and inference never runs on the event loop. Threads start on
 * first use and keep their models loaded; requests wait their turn in the order they came.
 */
export function synthesisThreads<Request>(opts: { entry: URL; slots: number; engine: string }) {
  const threadsEach = Math.max(1, Math.floor(os.availableParallelism() / opts.slots));
  const idle: Thread[] = [];
  const queue: Pending<Request>[] = [];
  const running = new Map<Thread, Pending<Request>>();
  let started = 0;

  function spawn(): Thread {
    const thread = startThread(opts.entry, { data: { threads: threadsEach } });
    thread.on('message', (answer: SynthesisAnswer) => {
      const job = running.get(thread);
      running.delete(thread);
      thread.unref();
      if (job) {
        if (answer.ok) job.resolve(answer.samples);
        else job.reject(new Error(`${opts.engine} could not synthesize: ${answer.message}`));
      }
      idle.push(thread);
      dispatch();
    });
    // A thread that dies (an error, or an exit) fails its request; the next one starts afresh.
    let failure: Error | undefined;
    thread.on('error', (err) => {
      failure = err;
    });
    thread.on('exit', (code) => {
      running
        .get(thread)
        ?.reject(failure ?? new Error(`a ${opts.engine} thread stopped (exit ${code})`));
      running.delete(thread);
      const i = idle.indexOf(thread);
      if (i >= 0) idle.splice(i, 1);
      started -= 1;
      dispatch();
    });
    return thread;
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let thread = idle.pop();
      if (!thread && started < opts.slots) {
        started += 1;
        thread = spawn();
      }
      if (!thread) return;
      const job = queue.shift() as Pending<Request>;
      running.set(thread, job);
      // Held while it reads, so a process waiting for speech lives until it comes; idle, it
      // never keeps a process from ending (a `bookflow convert` that is done exits).
      thread.ref();
      thread.postMessage(job.request);
    }
  }

  return {
    /** The request's samples, from the first free slot. */
    run(request: Request): Promise<Int16Array> {
      return new Promise((resolve, reject) => {
        queue.push({ request, resolve, reject });
        dispatch();
      });
    },
  };
}
