import { useState } from 'preact/hooks';
import { api } from './api.js';
import { html } from './html.js';

/** The API token, asked once; the server keeps it in a cookie for this browser session. */
export function SignIn({ onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    try {
      onSignedIn(await api('/session', { method: 'POST', json: { token } }));
    } catch (err) {
      setError(err.message);
    }
  };
  return html`
    <form class="sign-in" onSubmit=${submit}>
      <h1>bookflow</h1>
      <label for="token">API token</label>
      <input id="token" type="password" autocomplete="current-password" required
        value=${token} onInput=${(e) => setToken(e.currentTarget.value)} />
      <button type="submit">Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  `;
}
