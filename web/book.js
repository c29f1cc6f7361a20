import { useEffect, useState } from 'preact/hooks';
import { api, bookUrl, duration, freshReader, listen, timing, titleOf } from './api.js';
import { html } from './html.js';
import { Jobs } from './jobs.js';
import { Progress } from './library.js';
import { Player } from './player.js';
import { Review } from './review.js';

const RUNNING = ['UPLOADED', 'PARSING', 'REVIEW', 'GENERATING', 'MERGING'];
const RUNNING_POLL_MS = 3000;

/** A chapter's event (GET /books/:id/events) applied to the book as last read. */
function withChapter(book, c) {
  const chapters = book.chapters.map((ch) =>
    ch.n === c.n
      ? {
          ...ch,
          status: c.status,
          attempts: c.attempts,
          error: c.error,
          durationSec: c.durationSec,
        }
      : ch,
  );
  return {
    ...book,
    chapters,
    progress: c.progress ? { done: c.progress.done, total: c.progress.total } : book.progress,
  };
}

function Chapters({ book, act }) {
  return html`
    <section aria-labelledby="chapters-title">
      <h2 id="chapters-title">Chapters</h2>
      <div class="table">
        <table>
          <thead><tr><th>#</th><th>Title</th><th>Status</th><th>Attempts</th><th>Length</th><th></th></tr></thead>
          <tbody>
            ${book.chapters.map(
              (c) => html`<tr key=${c.n} data-chapter=${c.n} class=${c.status}>
                <td>${c.n}</td>
                <td>${c.title}${c.error && html`<p class=${c.status === 'SKIPPED' ? 'note' : 'error'}>${c.error}</p>`}</td>
                <td><span class=${`status ${c.status}`}>${c.status}</span>${
                  c.status === 'RUNNING' &&
                  c.percentDone != null &&
                  html` <progress max="100" value=${c.percentDone} aria-label=${`chapter ${c.n} read`}>${c.percentDone}%</progress> ${c.percentDone}%`
                }</td>
                <td>${c.attempts}</td>
                <td>${duration(c.durationSec)}</td>
                <td>
                  ${c.status === 'FAILED' && html`<button type="button" onClick=${() => act('POST', `/chapters/${c.n}/retry`)}>Retry chapter ${c.n}</button>`}
                  ${c.status === 'DONE' && html`<a href=${bookUrl(book.id, `/chapters/${c.n}/audio`)} download>Download</a>`}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>
  `;
}

/** One book, live: status, what to do when it failed, chapters, actions, player, job tree. */
export function BookPage({ id, session }) {
  const [book, setBook] = useState(null);
  const [missing, setMissing] = useState('');
  const [message, setMessage] = useState('');
  const [version, setVersion] = useState(0);
  const [reader] = useState(() =>
    freshReader(
      () => api(bookUrl(id)),
      setBook,
      (err) => setMissing(err.status === 404 ? 'Book not found.' : err.message),
    ),
  );
  const reload = reader.now;
  useEffect(() => {
    reload();
    // Events change the page at once; a read after them brings the rest (leftOut, errors…).
    const changed = () => {
      reader.soon();
      setVersion((v) => v + 1);
    };
    return listen(bookUrl(id, '/events'), {
      book: changed,
      chapter: (c) => {
        setBook((b) => b && withChapter(b, c));
        changed();
      },
    });
  }, [id]);

  // A chapter's progress is no event (each read segment would be one): while one runs, the
  // page reads the book again every few seconds.
  const running = book?.chapters.some((c) => c.status === 'RUNNING');
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reader.now, RUNNING_POLL_MS);
    return () => clearInterval(timer);
  }, [running]);

  const act = async (method, rest = '') => {
    setMessage('');
    try {
      await api(bookUrl(id, rest), { method });
      if (rest.startsWith('?purge')) location.hash = '#/';
      else reload();
    } catch (err) {
      setMessage(err.message);
    }
  };

  if (missing)
    return html`<p class="not-found" role="alert">${missing}</p><a href="#/">Back to the library</a>`;
  if (!book) return html`<p>Loading…</p>`;
  const { elapsed, eta } = timing(book);
  const failed = book.chapters.some((c) => c.status === 'FAILED');
  return html`
    <article class="book-page">
      <a href="#/">← Library</a>
      <h1>${titleOf(book)}</h1>
      <p class="author">${book.author ?? ''}</p>
      <div class="line" aria-live="polite"><${Progress} book=${book} /></div>
      <p class="time">${duration(elapsed)} elapsed${eta != null ? ` · about ${duration(eta)} left` : ''}</p>
      ${
        book.status === 'FAILED' &&
        html`<div class="failure" role="alert">
        <p class="error">${book.error}</p>
        <p>${failed ? 'Retry the failed chapters below: the chapters already done are kept.' : 'Fix the file and upload it again.'}</p>
      </div>`
      }
      ${book.leftOut?.length > 0 && html`<details><summary>Not read aloud (${book.leftOut.length})</summary><ul>${book.leftOut.map((l) => html`<li>${l}</li>`)}</ul></details>`}
      <div class="actions">
        ${failed && html`<button type="button" onClick=${() => act('POST', '/retry')}>Retry all failed</button>`}
        ${RUNNING.includes(book.status) && html`<button type="button" onClick=${() => act('DELETE')}>Cancel</button>`}
        ${book.status === 'READY' && session.deliveryTargets.includes('abs') && html`<button type="button" onClick=${() => act('POST', '/deliveries')}>Send to Audiobookshelf</button>`}
        <button type="button" class="danger" onClick=${() => confirm('Delete this book and its audio?') && act('DELETE', '?purge=true')}>Delete</button>
      </div>
      ${message && html`<p class="error" role="alert">${message}</p>`}
      ${book.deliveries?.map(
        (
          d,
        ) => html`<p class="delivery" key=${d.target}>Audiobookshelf: <span class=${`status ${d.state}`}>${d.state}</span>
          ${d.attempts > 1 ? ` after ${d.attempts} tries` : ''}${d.error ? html` <span class="error">${d.error}</span>` : ''}</p>`,
      )}
      ${book.status === 'READY' && html`<${Player} book=${book} />`}
      ${
        book.status === 'REVIEW'
          ? html`<${Review} book=${book} reload=${reload} />`
          : html`<${Chapters} book=${book} act=${act} />`
      }
      <${Jobs} id=${id} version=${version} />
    </article>
  `;
}
