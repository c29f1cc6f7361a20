import type { AudioFormat } from '../audio/audio-format.js';

/**
 * Object keys are derived from ids only: an uploaded file's name never reaches
 * a path, so it cannot traverse or collide.
 */
export const objectKeys = {
  bookPrefix: (bookId: string) => `books/${bookId}/`,
  source: (bookId: string) => `books/${bookId}/source.epub`,
  /** Every chapter's text in one object; each chapter row holds its byte range. */
  chapterTexts: (bookId: string) => `books/${bookId}/chapters.txt`,
  /** One run's audio of a chapter: a run never writes over the file of another (`run`). */
  chapterAudio: (bookId: string, n: number, format: AudioFormat, run?: string) =>
    `books/${bookId}/chapters/${n}${run ? `-${run}` : ''}.${format === 'mp3' ? 'mp3' : 'm4a'}`,
  /** The one audio file every chapter of a dry run (TTS_ENGINE=silence) points to. */
  dryRunSilence: (bookId: string, format: AudioFormat) =>
    `books/${bookId}/chapters/silence.${format === 'mp3' ? 'mp3' : 'm4a'}`,
  audiobook: (bookId: string, format: AudioFormat) => `books/${bookId}/audiobook.${format}`,
  /** Part `number` (from 1) of a book delivered in parts, and all of them in one zip. */
  part: (bookId: string, number: number, format: AudioFormat) =>
    `books/${bookId}/parts/${number}.${format}`,
  partsZip: (bookId: string) => `books/${bookId}/parts.zip`,
  /** A chapter's preview (kept with its book, so it goes when the book does). */
  preview: (bookId: string, hash: string, format: AudioFormat) =>
    `books/${bookId}/previews/${hash}.${format === 'mp3' ? 'mp3' : 'm4a'}`,
  /** A file of a voice installed for the fleet, by its path under the voices folder. */
  voiceFile: (dest: string) => `voices/${dest}`,
  /** A voice's sample sentence, by a hash of the engine and voice. */
  voiceSample: (hash: string) => `samples/${hash}.m4a`,
  cover: (bookId: string, mediaType: string) =>
    `books/${bookId}/cover.${mediaType === 'image/png' ? 'png' : 'jpg'}`,
};
