import { useEffect, useState } from 'preact/hooks';
import { api, bookUrl, duration } from './api.js';
import { html } from './html.js';

function Job({ job }) {
  const { processed, finished } = job.timestamps;
  const took = processed && finished ? duration((finished - processed) / 1000) : '';
  return html`
    <li>
      <details open=${job.children.length > 0 && job.children.length <= 20}>
        <summary>
          <span class="job-name">${job.name}</span> <span class=${`state ${job.state}`}>${job.state}</span>
          <span class="attempts">attempts ${job.attemptsMade}/${job.attempts}</span>
          ${processed && html`<span>started ${new Date(processed).toLocaleTimeString()}</span>`}
          ${took && html`<span>took ${took}</span>`}
        </summary>
        ${job.failedReason && html`<p class="error">${job.failedReason}</p>`}
        ${job.children.length > 0 && html`<ul>${job.children.map((c) => html`<${Job} key=${c.id} job=${c} />`)}</ul>`}
      </details>
    </li>
  `;
}

/** The job tree behind a book (GET /books/:id/jobs), read when opened and on every change. */
export function Jobs({ id, version }) {
  const [open, setOpen] = useState(false);
  const [tree, setTree] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (open) api(bookUrl(id, '/jobs')).then(setTree, (err) => setError(err.message));
  }, [open, id, version]);
  return html`
    <details class="jobs" onToggle=${(e) => setOpen(e.currentTarget.open)}>
      <summary>Jobs</summary>
      ${error && html`<p class="error">${error}</p>`}
      ${tree && html`<ul class="tree"><${Job} job=${tree} /></ul>`}
    </details>
  `;
}
