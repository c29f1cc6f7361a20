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
  chapterAudio: (bookId: string, n: number, format: AudioFormat) =>
    `books/${bookId}/chapters/${n}.${format === 'mp3' ? 'mp3' : 'm4a'}`,
  /** The one audio file every chapter of a dry run (TTS_ENGINE=silence) points to. */
  dryRunSilence: (bookId: string, format: AudioFormat) =>
    `books/${bookId}/chapters/silence.${format === 'mp3' ? 'mp3' : 'm4a'}`,
  audiobook: (bookId: string, format: AudioFormat) => `books/${bookId}/audiobook.${format}`,
  cover: (bookId: string, mediaType: string) =>
    `books/${bookId}/cover.${mediaType === 'image/png' ? 'png' : 'jpg'}`,
};
