// The HTTP API as the page uses it. The browser's session cookie (see /session) carries the
// token, so plain fetch, <audio> and EventSource all work; a 401 anywhere sends the page to sign-in.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const signedOutListeners = new Set();
export const onSignedOut = (listener) => signedOutListeners.add(listener);

export async function api(path, { method = 'GET', body, json } = {}) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) init.body = body;
  const res = await fetch(path, init);
  if (res.status === 401 && path !== '/session') for (const l of signedOutListeners) l();
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data?.message ?? `${res.status} ${res.statusText}`);
  return data;
}

/** Server-sent events of one stream, by event type; reconnects (and resumes) on its own. */
export function listen(path, handlers) {
  const source = new EventSource(path);
  for (const [type, handler] of Object.entries(handlers)) {
    source.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  }
  return () => source.close();
}

/**
 * A reader that is called again and again (on every event) and whose answers may arrive out
 * of order: calls within `waitMs` are one call, and only the newest call's answer is used, so
 * an answer read before an event never replaces one read after it.
 */
export function freshReader(read, apply, fail = () => {}, waitMs = 150) {
  let newest = 0;
  let timer;
  const now = () => {
    const mine = ++newest;
    read().then(
      (value) => mine === newest && apply(value),
      (err) => mine === newest && fail(err),
    );
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(now, waitMs);
  };
  return { now, soon };
}

export const bookUrl = (id, rest = '') => `/books/${encodeURIComponent(id)}${rest}`;

export function duration(sec) {
  if (sec == null || !Number.isFinite(sec)) return '';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * Elapsed time of a book, and an ETA from the pace of the words read so far (chapters differ
 * too much in length to count them): none until a chapter is done.
 */
export function timing(book, now = Date.now()) {
  const start = Date.parse(book.createdAt);
  // A book that stopped (READY, FAILED, CANCELLED, in REVIEW) stops its clock.
  const end = book.stoppedAt ? Date.parse(book.stoppedAt) : now;
  const elapsed = (end - start) / 1000;
  const { wordsDone = 0, wordsTotal = 0 } = book.progress ?? {};
  const running = ['PARSING', 'GENERATING', 'MERGING'].includes(book.status);
  const eta =
    running && wordsDone > 0 && wordsTotal > wordsDone
      ? (elapsed / wordsDone) * (wordsTotal - wordsDone)
      : null;
  return { elapsed, eta };
}

/** A book's title; before it is read (or when it could not be), the uploaded file's name. */
export function titleOf(book) {
  if (book.title) return book.title;
  const name = book.fileName ?? 'Untitled';
  return ['UPLOADED', 'PARSING'].includes(book.status) ? `${name} (reading…)` : name;
}
