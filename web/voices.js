// The voices page: every voice uploads may choose, with its engine and language, and a
// sentence in it to hear (GET /voices/:id/sample; made once, then served from storage).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { html } from './html.js';

export function Voices() {
  const [list, setList] = useState(undefined);
  const [playing, setPlaying] = useState(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    api('/voices').then(setList, (err) => setError(err.message));
  }, []);
  if (error) return html`<p role="alert">${error}</p>`;
  if (!list) return html`<p>Loading voices…</p>`;
  return html`
    <h1>Voices</h1>
    <p>
      Read by ${list.engine}; a book without a voice gets ${list.default} or the first that speaks
      its language. More are installed with <code>npx bookflow voices add</code>.
    </p>
    <div class="table"><table>
      <thead><tr><th>Voice</th><th>Engine</th><th>Language</th><th></th></tr></thead>
      <tbody>
        ${list.voices.map(
          (v) => html`
            <tr>
              <td>${v.id}${v.id === list.default ? ' (default)' : ''}</td>
              <td>${v.engine}</td>
              <td>${v.language ?? 'any'}</td>
              <td>
                <button type="button" onClick=${() => setPlaying(v.id)}
                  aria-label=${`Hear ${v.id}`}>Hear</button>
              </td>
            </tr>`,
        )}
      </tbody>
    </table></div>
    ${
      playing &&
      html`<audio controls autoplay aria-label=${`sample of ${playing}`}
        src=${`/voices/${encodeURIComponent(playing)}/sample`}></audio>`
    }
  `;
}
