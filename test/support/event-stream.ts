import { EventSource } from 'eventsource';
import { Agent, fetch as undiciFetch } from 'undici';

export interface StreamEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export interface EventStream {
  events: StreamEvent[];
  /** Resolves with the first event (already received or to come) that `match` accepts. */
  waitFor(match: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  close(): void;
}

const TYPES = ['book', 'chapter', 'progress', 'voice', 'ready', 'reset'];

/** A server-sent event stream as a browser's EventSource reads it, with headers of our choosing. */
export function openEventStream(url: string, headers: Record<string, string> = {}): EventStream {
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  // Its own connection pool, closed with the stream: fetch's shared pool keeps a spare
  // connection open, and a server's close waits for it for as long as its keep-alive lasts.
  const agent = new Agent();
  const source = new EventSource(url, {
    fetch: (input, init) =>
      undiciFetch(input, {
        ...init,
        headers: { ...init?.headers, ...headers },
        dispatcher: agent,
      }) as unknown as Promise<Response>,
  });
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      events.push({ id: e.lastEventId, type, data: JSON.parse(e.data) });
      for (const w of waiters) w();
    });
  }
  return {
    events,
    waitFor(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event on ${url} in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => {
      source.close();
      void agent.destroy();
    },
  };
}
