// The voices page: every voice uploads may choose, with its engine and language, and a
// sentence in it to hear (GET /voices/:id/sample; made once, then served from storage). Admins
// also see the voices one can install, install one for every worker (POST /voices/:id/install),
// and follow its download on the event stream (`voice` events).
import { useEffect, useState } from 'preact/hooks';
import { api, listen } from './api.js';
import { html } from './html.js';

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

export function Voices({ session }) {
  const [list, setList] = useState(undefined);
  const [playing, setPlaying] = useState(undefined);
  const [error, setError] = useState('');
  const load = () => api('/voices').then(setList, (err) => setError(err.message));
  useEffect(() => {
    load();
  }, []);
  if (error) return html`<p role="alert">${error}</p>`;
  if (!list) return html`<p>Loading voices…</p>`;
  return html`
    <h1>Voices</h1>
    <p>
      Read by ${list.engine}; a book without a voice gets ${list.default} or the first that speaks
      its language. More are installed with <code>npx bookflow voices add</code>${
        session?.admin ? ', or below' : ''
      }.
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
    ${session?.admin && html`<${Installable} onInstalled=${load} />`}
  `;
}

/** The catalogues' voices, each installed or with Install and its download's progress. */
function Installable({ onInstalled }) {
  const [catalogue, setCatalogue] = useState(undefined);
  const [installs, setInstalls] = useState({});
  const [message, setMessage] = useState('');
  useEffect(() => {
    api('/voices/catalogue').then(setCatalogue, (err) => setMessage(err.message));
    return listen('/events', {
      voice: (install) => {
        setInstalls((all) => ({ ...all, [install.id]: install }));
        if (install.state === 'DONE') onInstalled();
      },
    });
  }, []);
  const install = async (id) => {
    setMessage('');
    try {
      const started = await api(`/voices/${encodeURIComponent(id)}/install`, { method: 'POST' });
      setInstalls((all) => ({ ...all, [id]: started }));
    } catch (err) {
      setMessage(err.message);
    }
  };
  if (!catalogue) return message && html`<p class="error" role="alert">${message}</p>`;
  const state = (v) => installs[v.id] ?? v.install;
  return html`
    <h2>Install a voice</h2>
    <p>Downloaded once into storage; every speech worker takes it from there.</p>
    ${message && html`<p class="error" role="alert">${message}</p>`}
    <div class="table"><table class="installable">
      <thead><tr><th>Voice</th><th>Engine</th><th>Language</th><th>Size</th><th>Licence</th><th></th></tr></thead>
      <tbody>
        ${catalogue.map((v) => {
          const s = state(v);
          const busy = s && ['PENDING', 'RUNNING'].includes(s.state);
          return html`<tr data-voice=${v.id}>
            <td>${v.id}</td><td>${v.engine}</td><td>${v.language}</td>
            <td>${mb(v.sizeBytes)}</td><td>${v.licence}</td>
            <td>
              ${
                s?.state === 'DONE' || v.installed
                  ? html`<span class="installed">installed</span>`
                  : busy
                    ? html`<progress max=${s.totalBytes || 1} value=${s.doneBytes}></progress>`
                    : html`<button type="button" onClick=${() => install(v.id)}
                        aria-label=${`Install ${v.id}`}>Install</button>`
              }
              ${s?.state === 'FAILED' && html`<span class="error">${s.error}</span>`}
            </td>
          </tr>`;
        })}
      </tbody>
    </table></div>
  `;
}
