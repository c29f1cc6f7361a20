import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EventSource } from 'eventsource';
import { Agent, FormData, fetch as undiciFetch } from 'undici';
import { whyUnreachable } from '../net.js';

/** A refusal from the API, with its own words. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Progress {
  done: number;
  total: number;
  failed?: number;
  /** Words of the chapters done, and of all to read. */
  wordsDone?: number;
  wordsTotal?: number;
}

export interface Chapter {
  n: number;
  title: string;
  status: string;
  attempts: number;
  error: string | null;
  durationSec: number | null;
}

export interface Book {
  id: string;
  status: string;
  title: string | null;
  author: string | null;
  error: string | null;
  /** FAILED: where to POST to retry what failed. */
  retry: string | null;
  progress: Progress;
  createdAt: string;
  chapters: Chapter[];
  format: string;
}

export type BookSummary = Omit<Book, 'chapters' | 'error' | 'retry' | 'format'>;

export interface UploadOptions {
  voice?: string;
  speed?: number;
  format?: string;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The HTTP API as the command line uses it: `server` is its base URL, `token` an API token. */
export function createApiClient(server: string, token?: string) {
  const base = server.replace(/\/+$/, '');
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  // Its own connections, closed by close(): a server stopping waits for a client's idle spare
  // connection until its headers timeout (a minute) unless the client closes it.
  const dispatcher = new Agent();
  const fetch = (url: string | URL, init: RequestInit | { body?: FormData } = {}) =>
    (undiciFetch(url, { ...init, dispatcher } as never) as unknown as Promise<Response>).catch(
      (err: Error) => {
        throw new Error(`cannot reach ${base}: ${whyUnreachable(err)}`);
      },
    );

  async function call<T>(method: string, route: string, body?: FormData): Promise<T> {
    const res = await fetch(`${base}${route}`, { method, headers, body });
    return answer<T>(res);
  }

  async function upload(file: string, options: UploadOptions = {}): Promise<{ id: string }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(options)) if (v !== undefined) form.append(k, String(v));
    form.append('file', new Blob([await fs.readFile(file)]), path.basename(file));
    return call('POST', '/books', form);
  }

  /**
   * Writes a book's audio to `out` (or one chapter's, or its read-along EPUB); answers the
   * path written.
   */
  async function download(id: string, out: string, what?: number | 'readalong'): Promise<string> {
    const route =
      what === 'readalong'
        ? `/books/${id}/readalong.epub`
        : what
          ? `/books/${id}/chapters/${what}/audio`
          : `/books/${id}/audio`;
    const res = await fetch(`${base}${route}`, { headers });
    if (!res.ok || !res.body) await answer(res);
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      createWriteStream(out),
    );
    return out;
  }

  /**
   * Follows one book's events (`GET /books/:id/events`), reconnecting and resuming by itself;
   * `ready` comes first, once the stream is sure to miss nothing that follows.
   */
  function follow(
    id: string,
    onChange: (kind: 'ready' | 'book' | 'chapter', data: unknown) => void,
  ) {
    const source = new EventSource(`${base}/books/${id}/events`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
    });
    for (const kind of ['ready', 'book', 'chapter'] as const) {
      source.addEventListener(kind, (e) => onChange(kind, JSON.parse(e.data)));
    }
    return () => source.close();
  }

  return {
    close: () => dispatcher.close(),
    upload,
    download,
    follow,
    list: (limit = 100) => call<{ books: BookSummary[] }>('GET', `/books?limit=${limit}`),
    get: (id: string) => call<Book>('GET', `/books/${id}`),
    retry: (id: string, chapter?: number) =>
      call<{ retried: string[] }>(
        'POST',
        chapter ? `/books/${id}/chapters/${chapter}/retry` : `/books/${id}/retry`,
      ),
    cancel: (id: string) => call<{ status: string }>('DELETE', `/books/${id}`),
    /** The book and everything stored of it, gone (as RETENTION_DAYS purges). */
    purge: (id: string) => call<{ status: string }>('DELETE', `/books/${id}?purge=true`),
  };
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiRefusal(res.status, data?.message ?? `${res.status} ${res.statusText}`);
  return data as T;
}
