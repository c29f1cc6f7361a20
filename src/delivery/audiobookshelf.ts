import { openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Where READY books go: an Audiobookshelf server's upload API, or a library folder it watches. */
export type AbsTarget =
  | { kind: 'api'; url: string; token: string; library: string; folder: string }
  | { kind: 'dir'; dir: string };

/** A book as Audiobookshelf files it: its tags, its chapters, and the files to send. */
export interface AbsBook {
  title: string;
  author: string | null;
  series: string | null;
  narrator: string;
  language: string | null;
  chapters: { title: string; start: number; end: number }[];
  /** The audiobook and, if any, its cover (JPEG). */
  audio: { file: string; ext: string };
  cover: string | null;
}

/** A push the server refused for good (401, 403, 404): retrying cannot help. */
export class AbsRefusedError extends Error {
  override name = 'AbsRefusedError';
}

/** What Audiobookshelf 2.x reads from `metadata.json` beside the audio in an item's folder. */
export function absMetadata(book: AbsBook) {
  return {
    title: book.title,
    authors: book.author ? [book.author] : [],
    narrators: [book.narrator],
    series: book.series ? [book.series] : [],
    language: book.language,
    chapters: book.chapters.map((c, id) => ({ id, start: c.start, end: c.end, title: c.title })),
  };
}

/** A folder name Audiobookshelf and every file system take: no separators, no dots alone. */
export const folderName = (name: string) =>
  name
    .replace(/[/\\:*?"<>|\p{Cc}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+$/, '')
    .slice(0, 150) || 'Untitled';

/** The item's folder under a library folder: `Author/[Series/]Title`, as Audiobookshelf lays it out. */
export const itemPath = (book: Pick<AbsBook, 'author' | 'series' | 'title'>) =>
  [book.author ?? 'Unknown Author', ...(book.series ? [book.series] : []), book.title].map(
    folderName,
  );

/** Pushes the book; answers where it went. */
export function deliverToAbs(target: AbsTarget, book: AbsBook): Promise<string> {
  return target.kind === 'api' ? upload(target, book) : writeFolder(target.dir, book);
}

/** `POST /api/upload`, multipart: the fields Audiobookshelf reads and one part per file. */
async function upload(target: Extract<AbsTarget, { kind: 'api' }>, book: AbsBook) {
  const form = new FormData();
  form.set('title', book.title);
  if (book.author) form.set('author', book.author);
  if (book.series) form.set('series', book.series);
  form.set('library', target.library);
  form.set('folder', target.folder);
  const name = folderName(book.title);
  form.set('0', await openAsBlob(book.audio.file), `${name}.${book.audio.ext}`);
  if (book.cover) form.set('1', await openAsBlob(book.cover), 'cover.jpg');
  const metadata = JSON.stringify(absMetadata(book), null, 2);
  form.set('2', new Blob([metadata], { type: 'application/json' }), 'metadata.json');
  const res = await fetch(new URL('api/upload', target.url.replace(/\/?$/, '/')), {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}` },
    body: form,
    signal: AbortSignal.timeout(30 * 60_000),
  });
  const said = (await res.text()).slice(0, 200);
  if ([401, 403, 404].includes(res.status))
    throw new AbsRefusedError(
      `Audiobookshelf refused the upload (${res.status}): ${said || res.statusText}`,
    );
  if (!res.ok) throw new Error(`Audiobookshelf answered ${res.status}: ${said || res.statusText}`);
  return `${target.url} library ${target.library}: ${itemPath(book).join('/')}`;
}

/** The same layout written into a library folder Audiobookshelf watches (whole files only). */
async function writeFolder(dir: string, book: AbsBook) {
  const item = path.join(dir, ...itemPath(book));
  const staging = `${item}.part-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  await fs.copyFile(
    book.audio.file,
    path.join(staging, `${folderName(book.title)}.${book.audio.ext}`),
  );
  if (book.cover) await fs.copyFile(book.cover, path.join(staging, 'cover.jpg'));
  await fs.writeFile(
    path.join(staging, 'metadata.json'),
    JSON.stringify(absMetadata(book), null, 2),
  );
  // The watcher sees the item whole: a finished folder takes the place of any earlier one.
  await fs.rm(item, { recursive: true, force: true });
  await fs.rename(staging, item);
  return item;
}
