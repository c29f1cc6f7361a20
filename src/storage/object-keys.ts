/**
 * Object keys are derived from ids only: an uploaded file's name never reaches
 * a path, so it cannot traverse or collide.
 */
export const objectKeys = {
  bookPrefix: (bookId: string) => `books/${bookId}/`,
  source: (bookId: string) => `books/${bookId}/source.epub`,
  chapterText: (bookId: string, n: number) => `books/${bookId}/chapters/${n}.txt`,
  chapterAudio: (bookId: string, n: number) => `books/${bookId}/chapters/${n}.m4a`,
  audiobook: (bookId: string) => `books/${bookId}/audiobook.m4b`,
  cover: (bookId: string, mediaType: string) =>
    `books/${bookId}/cover.${mediaType === 'image/png' ? 'png' : 'jpg'}`,
};
