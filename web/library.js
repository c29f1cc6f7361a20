import { useEffect, useState } from 'preact/hooks';
import { api, bookUrl, duration, freshReader, listen, timing, titleOf } from './api.js';
import { contract } from './contract.js';
import { html } from './html.js';
import { Upload } from './upload.js';

const PAGE = 20;
/** Before the parse, a book has no cover to show yet. */
const COVERLESS = ['UPLOADED', 'PARSING'];

/** A status badge and a progress bar, as the library and the book page show them. */
export function Progress({ book }) {
  const { done, total } = book.progress ?? { done: 0, total: 0 };
  return html`
    <span class=${`status ${book.status}`}>${book.status}</span>
    <progress max=${total || 1} value=${done} aria-label="chapters done">${done}/${total}</progress>
    <span class="count">${done}/${total} chapters</span>
  `;
}

function Row({ book, now }) {
  const { elapsed, eta } = timing(book, now);
  return html`
    <li class="book">
      ${
        COVERLESS.includes(book.status)
          ? html`<span class="cover"></span>`
          : html`<img class="cover" src=${bookUrl(book.id, '/cover')} alt="" loading="lazy"
            onError=${(e) => (e.currentTarget.style.visibility = 'hidden')} />`
      }
      <div class="about">
        <a class="title" href=${`#/books/${book.id}`}>${titleOf(book)}</a>
        <span class="author">${book.author ?? ''}</span>
        <div class="line"><${Progress} book=${book} /></div>
        <span class="time">
          ${duration(elapsed)} elapsed${eta != null ? html` · about ${duration(eta)} left` : ''}
        </span>
      </div>
    </li>
  `;
}

/** Books newest first, live: statuses and progress arrive as events (GET /events). */
export function Library() {
  const [filter, setFilter] = useState({ status: '', q: '' });
  const [cursors, setCursors] = useState([null]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const [reload, setReload] = useState(() => () => {});
  const [statuses, setStatuses] = useState([]);
  const cursor = cursors[cursors.length - 1];

  const query = () => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) params.set('cursor', cursor);
    if (filter.status) params.set('status', filter.status);
    if (filter.q) params.set('q', filter.q);
    return api(`/books?${params}`);
  };
  useEffect(() => {
    contract().then((c) => setStatuses(c.statuses));
  }, []);
  useEffect(() => {
    const reader = freshReader(query, setPage, (err) => setError(err.message));
    reader.now();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const patch = (id, change) =>
      setPage(
        (p) => p && { ...p, books: p.books.map((b) => (b.id === id ? { ...b, ...change } : b)) },
      );
    // Progress is applied as it comes; a change of status reads the page again (new books,
    // the filter, readyAt), and only the newest read is shown.
    const stop = listen('/events', {
      book: ({ bookId, status, title, author, error }) => {
        patch(bookId, { status, title, author, error });
        reader.soon();
      },
      progress: ({ bookId, progress }) => patch(bookId, { progress }),
    });
    setReload(() => reader.now);
    return () => {
      clearInterval(tick);
      stop();
    };
  }, [cursor, filter]);

  const choose = (change) => {
    setCursors([null]);
    setFilter({ ...filter, ...change });
  };
  return html`
    <${Upload} onUploaded=${() => cursors.length === 1 && reload()} />
    <section aria-labelledby="library-title">
      <h2 id="library-title">Library</h2>
      <div class="filters">
        <label>Status
          <select value=${filter.status} onChange=${(e) => choose({ status: e.currentTarget.value })}>
            <option value="">all</option>
            ${statuses.map((s) => html`<option value=${s}>${s.toLowerCase()}</option>`)}
          </select>
        </label>
        <label>Search titles
          <input type="search" value=${filter.q} onChange=${(e) => choose({ q: e.currentTarget.value })} />
        </label>
      </div>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${page && page.books.length === 0 && html`<p>No books yet: upload one above.</p>`}
      <ul class="books">${page?.books.map((b) => html`<${Row} key=${b.id} book=${b} now=${now} />`)}</ul>
      <nav class="pages" aria-label="pages">
        <button type="button" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" disabled=${!page?.next} onClick=${() => setCursors([...cursors, page.next])}>Older</button>
      </nav>
    </section>
  `;
}
