import { useRef, useState } from 'preact/hooks';
import { bookUrl, duration } from './api.js';
import { html } from './html.js';

/** Where each chapter starts in the audiobook, as the API says the merge placed it. */
export function chapterStarts(chapters) {
  return chapters.filter((c) => c.status === 'DONE').map((c) => ({ ...c, start: c.startSec ?? 0 }));
}

/** The finished audiobook, with its chapters: click one to go there; the one playing is marked. */
export function Player({ book }) {
  const audio = useRef(null);
  const [current, setCurrent] = useState(0);
  const marks = chapterStarts(book.chapters);
  const onTime = () => {
    const t = audio.current.currentTime;
    const i = marks.findLastIndex((m) => m.start <= t + 0.05);
    if (i !== current) setCurrent(i);
  };
  const seek = (m) => {
    audio.current.currentTime = m.start;
    void audio.current.play().catch(() => {});
  };
  return html`
    <section class="player" aria-labelledby="player-title">
      <h2 id="player-title">Listen</h2>
      <audio ref=${audio} controls preload="metadata" src=${bookUrl(book.id, '/audio')} onTimeUpdate=${onTime}></audio>
      <p class="downloads">
        <a class="download" href=${bookUrl(book.id, '/audio')} download>Download the audiobook</a>
        <a href=${bookUrl(book.id, '/subtitles.vtt')} download>Subtitles (WebVTT)</a>
        <a href=${bookUrl(book.id, '/subtitles.srt')} download>Subtitles (SRT)</a>
        <a href=${bookUrl(book.id, '/readalong.epub')} download>Read-along EPUB</a>
        ${book.parts && html`<a href=${bookUrl(book.id, '/parts.zip')} download>All ${book.parts} parts (zip)</a>`}
      </p>
      <ol class="marks">
        ${marks.map(
          (
            m,
            i,
          ) => html`<li key=${m.n} class=${i === current ? 'current' : ''} aria-current=${i === current ? 'true' : undefined}>
            <button type="button" data-chapter=${m.n} onClick=${() => seek(m)}>${m.title}</button>
            <span class="at">${duration(m.start)}</span>
          </li>`,
        )}
      </ol>
    </section>
  `;
}
