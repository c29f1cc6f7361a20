import { JOBS, type JobName, jobIds } from '../../flows/index.js';

/** A job of a book's flow: its name and its id (flows/job-ids.ts). */
export interface Step {
  name: JobName;
  id: string;
}

/** A chapter's generate-audio job. */
export const chapterStep = (bookId: string, n: number): Step => ({
  name: JOBS.generateAudio,
  id: jobIds.chapter(bookId, n),
});

/** The steps of a book's flow, root first (finalize, merge, parse), then its chapters. */
export function bookSteps(bookId: string, chapterNumbers: number[] = []): Step[] {
  return [
    { name: JOBS.finalizeBook, id: jobIds.finalize(bookId) },
    { name: JOBS.mergeAudiobook, id: jobIds.merge(bookId) },
    { name: JOBS.parseEpub, id: jobIds.parse(bookId) },
    ...chapterNumbers.map((n) => chapterStep(bookId, n)),
  ];
}
