/** Upper bound on one synthesis request, so memory per request stays bounded. */
export const MAX_SEGMENT_CHARS = 6000;

/** Sentence ends in the scripts our books use (Latin, Arabic, CJK). */
const SENTENCE_END = /(?<=[.!?;:…。！？؟])\s+|(?<=[。！？])/u;

/**
 * Splits a chapter into synthesis segments at paragraph, then sentence
 * boundaries; only a single over-long sentence is cut mid-way (at a space if it has one).
 */
export function splitSegments(text: string, max = MAX_SEGMENT_CHARS): string[] {
  // Each piece remembers what separated it from the one before: a paragraph break or a space.
  const pieces = text.split(/\n{2,}/).flatMap((paragraph) =>
    (paragraph.length <= max ? [paragraph] : paragraph.split(SENTENCE_END))
      .flatMap((s) => (s.length <= max ? [s] : hardCut(s, max)))
      .map((s, i) => ({ text: s.trim(), sep: i === 0 ? '\n\n' : ' ' }))
      .filter((p) => p.text),
  );
  const segments: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + piece.sep.length + piece.text.length > max) {
      segments.push(current);
      current = piece.text;
    } else {
      current = current ? current + piece.sep + piece.text : piece.text;
    }
  }
  if (current) segments.push(current);
  return segments;
}

function hardCut(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    const cut = space > max / 2 ? space : max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}
