import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { choicesOf, contract } from './contract.js';
import { html } from './html.js';

/** Upload one file with the chosen options; the API's refusal (415, 413, 400…) in its words. */
async function send(file, options) {
  const form = new FormData();
  for (const [k, v] of Object.entries(options)) if (v !== '') form.append(k, String(v));
  form.append('file', file, file.name);
  return api('/books', { method: 'POST', body: form });
}

/**
 * Drag and drop or pick several EPUBs; voice and dialogue voice (GET /voices), speed, format,
 * priority and how to read them, for all of them.
 */
export function Upload({ onUploaded }) {
  const [voices, setVoices] = useState(null);
  // The form's ranges, choices and defaults: the API's schema of it (contract.js).
  const [fields, setFields] = useState(null);
  const [options, setOptions] = useState({
    voice: '',
    dialogueVoice: '',
    speed: '',
    format: '',
    priority: '',
    altText: '',
    boilerplate: '',
    lexicon: '',
    autostart: '',
  });
  const [files, setFiles] = useState([]);
  const [over, setOver] = useState(false);
  useEffect(() => {
    api('/voices').then(setVoices, () => setVoices({ voices: [] }));
    contract().then(({ upload }) => setFields(upload));
  }, []);

  const set = (key) => (e) => setOptions({ ...options, [key]: e.currentTarget.value });
  // Unchecked sends nothing: the API's default.
  const check = (key, value) => (e) =>
    setOptions({ ...options, [key]: e.currentTarget.checked ? value : '' });
  const update = (i, patch) =>
    setFiles((all) => all.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const add = (list) => {
    const start = files.length;
    const added = [...list].map((file) => ({ name: file.name, state: 'uploading' }));
    setFiles((all) => [...all, ...added]);
    [...list].forEach(async (file, k) => {
      try {
        const book = await send(file, options);
        update(start + k, { state: 'accepted', id: book.id });
        onUploaded?.(book);
      } catch (err) {
        update(start + k, { state: 'refused', error: err.message });
      }
    });
  };
  const dragOver = (e) => {
    e.preventDefault();
    setOver(true);
  };
  const picked = (e) => {
    add(e.currentTarget.files);
    // The same file may be chosen again (after fixing it, say).
    e.currentTarget.value = '';
  };
  const drop = (e) => {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  };

  const voiceOptions = (voices?.voices ?? []).map(
    (v) => html`<option value=${v.id}>${v.id}${v.language ? ` (${v.language})` : ''}</option>`,
  );
  return html`
    <section class="upload" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload books</h2>
      <div class=${`drop ${over ? 'over' : ''}`} onDragOver=${dragOver}
        onDragLeave=${() => setOver(false)} onDrop=${drop}>
        <label for="files">Drop EPUB files here, or choose them</label>
        <input id="files" type="file" accept=".epub,application/epub+zip" multiple
          onChange=${picked} />
      </div>
      <div class="options">
        <label>Voice
          <select value=${options.voice} onChange=${set('voice')}>
            <option value="">the book's language${voices?.default ? ` (default ${voices.default})` : ''}</option>
            ${voiceOptions}
          </select>
        </label>
        <label>Voice for what is inside quotation marks
          <select value=${options.dialogueVoice} onChange=${set('dialogueVoice')}>
            <option value="">the same voice</option>
            ${voiceOptions}
          </select>
        </label>
        ${fields && html`<${Choices} fields=${fields} options=${options} set=${set} />`}
        <label class="check">
          <input type="checkbox" checked=${options.altText === 'true'} onChange=${check('altText', 'true')} />
          Read pictures' alt text (comics, manga)
        </label>
        <label class="check">
          <input type="checkbox" checked=${options.boilerplate === 'keep'}
            onChange=${check('boilerplate', 'keep')} />
          Read Project Gutenberg's header, licence and contents pages
        </label>
        <label class="check">
          <input type="checkbox" checked=${options.autostart === 'false'}
            onChange=${check('autostart', 'false')} />
          Let me pick the chapters before anything is read
        </label>
        <label class="lexicon">Pronunciations for these books (one per line: word = said as)
          <textarea rows="2" placeholder="Tanaka = Tah-nah-kah" value=${options.lexicon}
            onInput=${set('lexicon')}></textarea>
        </label>
      </div>
      <ul class="uploads" aria-live="polite">
        ${files.map(
          (f) => html`<li class=${f.state}>
            <span class="file">${f.name}</span>
            ${f.state === 'uploading' && html`<span>uploading…</span>`}
            ${f.state === 'accepted' && html`<a href=${`#/books/${f.id}`}>accepted: open</a>`}
            ${f.state === 'refused' && html`<span class="error">${f.error}</span>`}
          </li>`,
        )}
      </ul>
    </section>
  `;
}

/** Speed, format and priority, as the API's schema of the form bounds and names them. */
function Choices({ fields, options, set }) {
  const { speed, format, priority } = fields;
  const levels = [];
  for (let p = priority.minimum; p <= priority.maximum; p++)
    if (p !== priority.default) levels.push(p);
  return html`
    <label>Speed
      <input type="number" min=${speed.minimum} max=${speed.maximum} step="0.1"
        value=${options.speed || speed.default} onInput=${set('speed')} />
    </label>
    <label>Format
      <select value=${options.format || format.default} onChange=${set('format')}>
        ${choicesOf(format).map((f) => html`<option value=${f}>${f}${f === 'm4b' ? ' (chapters)' : ''}</option>`)}
      </select>
    </label>
    <label>Priority
      <select value=${options.priority} onChange=${set('priority')}>
        <option value="">normal (${priority.default})</option>
        ${levels.map(
          (p) =>
            html`<option value=${p}>${p}${p < priority.default ? ' (sooner; admins)' : ' (later)'}</option>`,
        )}
      </select>
    </label>
  `;
}
