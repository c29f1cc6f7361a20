import { useEffect, useState } from 'preact/hooks';
import { api, bookUrl, duration } from './api.js';
import { html } from './html.js';

/** A chapter's opening as the book will read it (both voices where it has two), to hear. */
async function previewOf(book, n) {
  const res = await fetch(bookUrl(book.id, `/chapters/${n}/preview`), {
    method: 'POST',
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error((await res.json().catch(() => null))?.message ?? res.statusText);
  return URL.createObjectURL(await res.blob());
}

/**
 * A book in REVIEW (uploaded with "let me pick the chapters"): each chapter with its length,
 * first words and whether it will be read, and its opening to hear in the book's voices;
 * titles can be changed; Start reads the chosen ones.
 */
export function Review({ book, reload }) {
  const [message, setMessage] = useState('');
  const [hearing, setHearing] = useState(null); // { n, url } or { n } while it is made
  // A preview's audio is let go when another replaces it or the review closes.
  const url = hearing?.url;
  useEffect(() => () => url && URL.revokeObjectURL(url), [url]);
  const hear = async (n) => {
    setMessage('');
    setHearing({ n });
    try {
      setHearing({ n, url: await previewOf(book, n) });
    } catch (err) {
      setHearing(null);
      setMessage(err.message);
    }
  };
  const call = async (rest, init) => {
    setMessage('');
    try {
      await api(bookUrl(book.id, rest), init);
      reload();
    } catch (err) {
      setMessage(err.message);
    }
  };
  const edit = (n, json) => call(`/chapters/${n}`, { method: 'PATCH', json });
  const chosen = book.chapters.filter((c) => c.included);
  const total = chosen.reduce((sum, c) => sum + c.estimatedSec, 0);
  return html`
    <section class="review" aria-labelledby="review-title">
      <h2 id="review-title">Pick the chapters to read</h2>
      <p>${chosen.length} of ${book.chapters.length} chapters, about ${duration(total)} of audio,
        read by <strong class="voice">${book.voice ?? "the book's language's voice"}</strong>${
          book.dialogueVoice &&
          html`, what is inside quotation marks by <strong class="dialogue-voice">${book.dialogueVoice}</strong>`
        }.</p>
      <div class="table">
        <table>
          <thead><tr><th>Read</th><th>#</th><th>Title and first words</th><th>Words</th><th>About</th></tr></thead>
          <tbody>
            ${book.chapters.map(
              (c) => html`<tr key=${c.n} data-chapter=${c.n} class=${c.included ? '' : 'SKIPPED'}>
                <td><input type="checkbox" aria-label=${`Read chapter ${c.n}`} checked=${c.included}
                  disabled=${c.wordCount === 0} onChange=${(e) => edit(c.n, { included: e.currentTarget.checked })} /></td>
                <td>${c.n}</td>
                <td>
                  <input class="title" aria-label=${`Title of chapter ${c.n}`} value=${c.title}
                    onChange=${(e) => e.currentTarget.value.trim() && edit(c.n, { title: e.currentTarget.value })} />
                  <p class="excerpt">${c.excerpt}</p>
                  ${
                    c.wordCount > 0 &&
                    html`<button type="button" class="hear" onClick=${() => hear(c.n)}
                    disabled=${hearing?.n === c.n && !hearing.url}>Hear it</button>`
                  }
                  ${hearing?.n === c.n && hearing.url && html`<audio controls autoplay src=${hearing.url}></audio>`}
                  ${!c.included && c.error && html`<p class="note">${c.error}</p>`}
                </td>
                <td>${c.wordCount}</td>
                <td>${duration(c.estimatedSec)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" disabled=${chosen.length === 0} onClick=${() => call('/start', { method: 'POST' })}>
          Start reading ${chosen.length} chapter${chosen.length === 1 ? '' : 's'}
        </button>
      </div>
      ${message && html`<p class="error" role="alert">${message}</p>`}
    </section>
  `;
}
