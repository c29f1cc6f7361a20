import { SCENE_BREAK, SENTENCE_END } from './segments.js';

/** A text's sentences: its paragraphs, each cut where a sentence ends (segments.ts). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\n{2,}/)
    .flatMap((p) => p.split(SENTENCE_END))
    .map((s) => s.trim())
    .filter((s) => s && s !== SCENE_BREAK);
}
