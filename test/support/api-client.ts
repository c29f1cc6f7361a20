import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { BookViewT, JobNode } from '../../src/http/schemas.js';

/** The API's own response shapes (see book-schemas.ts), not copies of them. */
export type BookBody = BookViewT;
export type JobNodeBody = JobNode;

/**
 * A tiny client for the service's HTTP API, as a user's script would call it;
 * with `token`, every request carries it as a bearer token.
 */
export function apiClient(base: string, token?: string) {
  const json = async <T>(res: Response) => ({ status: res.status, body: (await res.json()) as T });
  const fetch = (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    return globalThis.fetch(url, { ...init, headers });
  };
  return {
    base,
    withToken: (other: string) => apiClient(base, other),
    async upload(file: string, fields: Record<string, string> = {}, headers: HeadersInit = {}) {
      const form = new FormData();
      form.set('file', await openAsBlob(file), path.basename(file));
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      const res = await fetch(`${base}/books`, { method: 'POST', body: form, headers });
      return {
        ...(await json<{
          id: string;
          status: string;
          message?: string;
          links: Record<string, string>;
        }>(res)),
        headers: res.headers,
      };
    },
    get: async (id: string) => json<BookBody>(await fetch(`${base}/books/${id}`)),
    jobs: async (id: string) => json<JobNodeBody>(await fetch(`${base}/books/${id}/jobs`)),
    post: async (p: string) =>
      json<Record<string, unknown>>(await fetch(`${base}${p}`, { method: 'POST' })),
    delete: async (id: string) =>
      json<Record<string, unknown>>(await fetch(`${base}/books/${id}`, { method: 'DELETE' })),
    raw: (p: string, init?: RequestInit) => fetch(`${base}${p}`, init),
    /** Polls until the book reaches one of `statuses` (or fails the test after `timeoutMs`). */
    async waitFor(id: string, statuses: string[], timeoutMs = 120_000): Promise<BookBody> {
      const deadline = Date.now() + timeoutMs;
      let last: BookBody | undefined;
      while (Date.now() < deadline) {
        last = (await json<BookBody>(await fetch(`${base}/books/${id}`))).body;
        if (statuses.includes(last.status)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`book ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(last)}`);
    },
  };
}
