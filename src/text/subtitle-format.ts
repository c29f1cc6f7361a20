/** A text of the book and when it is heard (seconds from the start of the audio). */
export interface TimedText {
  start: number;
  end: number;
  text: string;
}

/** 3723.5 → "01:02:03.500" (WebVTT) or "01:02:03,500" (SubRip). */
function timestamp(seconds: number, decimal: '.' | ','): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${decimal}${pad(ms % 1000, 3)}`;
}

/** One line: a blank line would end the cue early in either format. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** WebVTT (W3C): text escaped, "-->" never inside a cue. */
export function toVtt(cues: TimedText[]): string {
  const body = cues.map((c, i) => {
    const text = oneLine(c.text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return `${i + 1}\n${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${text}\n`;
  });
  return ['WEBVTT\n', ...body].join('\n');
}

/** SubRip (.srt): numbered cues, comma before the milliseconds. */
export function toSrt(cues: TimedText[]): string {
  return cues
    .map(
      (c, i) =>
        `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${oneLine(c.text)}\n`,
    )
    .join('\n');
}
