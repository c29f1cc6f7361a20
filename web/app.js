// The web app's shell: who is signed in, and which page the address (#/…) names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onSignedOut } from './api.js';
import { BookPage } from './book.js';
import { html } from './html.js';
import { Library } from './library.js';
import { SignIn } from './sign-in.js';
import { Voices } from './voices.js';

function useRoute() {
  const read = () => location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState(undefined);
  const check = () =>
    api('/session').then(setSession, (err) => setSession(err.status === 401 ? null : undefined));
  useEffect(() => {
    check();
    onSignedOut(() => setSession(null));
  }, []);

  if (session === undefined) return html`<p>Loading bookflow…</p>`;
  if (session === null) return html`<${SignIn} onSignedIn=${setSession} />`;
  const signOut = async () => {
    await api('/session', { method: 'DELETE' });
    setSession(null);
  };
  const book = /^\/books\/([^/]+)$/.exec(route);
  return html`
    <header class="top">
      <nav class="nav">
        <a href="#/" class="brand">bookflow</a>
        <a href="#/voices">Voices</a>
      </nav>
      <span class="who">
        ${
          session.tokensRequired
            ? html`${session.owner}${session.admin ? ' (admin)' : ''}
              <button type="button" onClick=${signOut}>Sign out</button>`
            : html`<a href="/docs">API</a>`
        }
      </span>
    </header>
    ${
      book
        ? html`<${BookPage} id=${decodeURIComponent(book[1])} session=${session} />`
        : route === '/voices'
          ? html`<${Voices} session=${session} />`
          : html`<${Library} />`
    }
  `;
}

render(html`<${App} />`, document.getElementById('app'));
