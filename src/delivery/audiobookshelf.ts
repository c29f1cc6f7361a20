import { openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { whyUnreachable } from '../net.js';

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

/** A push that could not reach the server: what failed, said so a person can act on it. */
export class AbsUnreachableError extends Error {
  override name = 'AbsUnreachableError';
}

const UTF16_NAME_BYTES = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what Audiobookshelf removes
const CONTROL = /[\u0000-\u001f\u0080-\u009f]/g;

/**
 * A name as Audiobookshelf 2.36 writes it to disk (server/utils/fileUtils.js
 * sanitizeFilename, which its upload applies to each folder and file name): the first ':'
 * becomes ' - ', the characters / ? < > \\ : * | " and control characters go, a name of
 * dots only is emptied, as are Windows' reserved device names, trailing dots and spaces go,
 * runs of white space become one space, and a name over 255 UTF-16 bytes is cut (keeping
 * its extension). Both ways of delivering name folders and files this way, so they agree.
 */
export function absName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(':', ' - ')
    .replace(/[/?<>\\:*|"]/g, '')
    .replace(CONTROL, '')
    .replace(/^\.+$/, '')
    .replace(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i, '')
    .replace(/[. ]+$/, '')
    .replace(/\s+/g, ' ');
  const ext = path.extname(cleaned);
  const base = path.basename(cleaned, ext);
  const room = UTF16_NAME_BYTES - ext.length * 2;
  if ((base.length + ext.length) * 2 <= UTF16_NAME_BYTES) return cleaned;
  let kept = '';
  for (const ch of base) {
    if ((kept.length + ch.length) * 2 > room) break;
    kept += ch;
  }
  return kept.trim() + ext;
}

/** The item's folder under a library folder, as Audiobookshelf lays it out: `[Author/][Series/]Title`. */
export const itemPath = (book: Pick<AbsBook, 'author' | 'series' | 'title'>) =>
  [book.author, book.series, book.title].filter((p): p is string => !!p).map(absName);

/** The audiobook's file name in the item's folder, and those of it in the other format. */
function audioNames(book: AbsBook) {
  // The title cleaned first: "A Case." would otherwise be "A Case..m4b".
  const named = (ext: string) => absName(`${absName(book.title)}.${ext}`);
  return {
    name: named(book.audio.ext),
    earlier: AUDIO_EXTS.filter((e) => e !== book.audio.ext).map(named),
  };
}
const AUDIO_EXTS = ['m4b', 'mp3'];

/**
 * Pushes the book; answers where it went. A book pushed before is replaced, not added beside:
 * Audiobookshelf (since 2.7.0) writes an upload into an existing item's folder, so the file
 * of an earlier push in the other format would stay and double the item's length.
 */
export function deliverToAbs(target: AbsTarget, book: AbsBook): Promise<string> {
  return target.kind === 'api' ? upload(target, book) : writeFolder(target.dir, book);
}

/** `fetch` to the server, its failures said as what failed (refused, no such host, TLS, time). */
async function call(target: Extract<AbsTarget, { kind: 'api' }>, rest: string, init: RequestInit) {
  const url = new URL(rest, target.url.replace(/\/?$/, '/'));
  try {
    return await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${target.token}` },
      signal: init.signal ?? AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new AbsUnreachableError(
      `cannot reach Audiobookshelf at ${target.url}: ${whyUnreachable(err as Error)}`,
    );
  }
}

/** `POST /api/upload`, multipart: the fields Audiobookshelf reads and one part per file. */
async function upload(target: Extract<AbsTarget, { kind: 'api' }>, book: AbsBook) {
  const form = new FormData();
  form.set('title', book.title);
  if (book.author) form.set('author', book.author);
  if (book.series) form.set('series', book.series);
  form.set('library', target.library);
  form.set('folder', target.folder);
  const { name, earlier } = audioNames(book);
  form.set('0', await openAsBlob(book.audio.file), name);
  if (book.cover) form.set('1', await openAsBlob(book.cover), 'cover.jpg');
  const metadata = JSON.stringify(absMetadata(book), null, 2);
  form.set('2', new Blob([metadata], { type: 'application/json' }), 'metadata.json');
  const res = await call(target, 'api/upload', {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(30 * 60_000),
  });
  await refuseUnless(res, 'the upload');
  await removeEarlier(target, book, earlier);
  return `${target.url} library ${target.library}: ${itemPath(book).join('/')}`;
}

async function refuseUnless(res: Response, what: string) {
  if (res.ok) return;
  const said = (await res.text()).slice(0, 200) || res.statusText;
  if ([401, 403, 404].includes(res.status))
    throw new AbsRefusedError(`Audiobookshelf refused ${what} (${res.status}): ${said}`);
  throw new Error(`Audiobookshelf answered ${what} with ${res.status}: ${said}`);
}

interface AbsSearchItem {
  id: string;
  relPath: string;
  libraryFiles: { ino: string; metadata: { filename: string } }[];
}

/**
 * Deletes the audio of an earlier push in the other format from the item (found by its
 * folder among the library's search answers; `DELETE /api/items/:id/file/:ino`, which needs
 * the token's user to be allowed to delete). An item not scanned yet has none.
 */
async function removeEarlier(
  target: Extract<AbsTarget, { kind: 'api' }>,
  book: AbsBook,
  earlier: string[],
) {
  const q = new URLSearchParams({ q: book.title, limit: '50' });
  const res = await call(target, `api/libraries/${target.library}/search?${q}`, {});
  await refuseUnless(res, 'the search for the earlier push');
  const found = ((await res.json()) as { book?: { libraryItem: AbsSearchItem }[] }).book ?? [];
  const item = found.map((b) => b.libraryItem).find((i) => i.relPath === itemPath(book).join('/'));
  for (const file of item?.libraryFiles ?? []) {
    if (!earlier.includes(file.metadata.filename)) continue;
    const del = await call(target, `api/items/${item?.id}/file/${file.ino}`, { method: 'DELETE' });
    await refuseUnless(del, `the removal of the earlier ${file.metadata.filename}`);
  }
}

/**
 * The same layout written into a library folder Audiobookshelf watches: each file whole
 * (written beside, then renamed into place), the earlier push's audio in the other format
 * removed, and whatever else the folder holds left alone.
 */
async function writeFolder(dir: string, book: AbsBook) {
  const item = path.join(dir, ...itemPath(book));
  // A dot folder: Audiobookshelf's watcher and scanner pass over it.
  const staging = path.join(path.dirname(item), `.bookflow-${process.pid}-${path.basename(item)}`);
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  const { name, earlier } = audioNames(book);
  await fs.copyFile(book.audio.file, path.join(staging, name));
  if (book.cover) await fs.copyFile(book.cover, path.join(staging, 'cover.jpg'));
  const metadata = JSON.stringify(absMetadata(book), null, 2);
  await fs.writeFile(path.join(staging, 'metadata.json'), metadata);
  await fs.mkdir(item, { recursive: true });
  for (const file of await fs.readdir(staging))
    await fs.rename(path.join(staging, file), path.join(item, file));
  await fs.rm(staging, { recursive: true, force: true });
  for (const old of earlier) await fs.rm(path.join(item, old), { force: true });
  return item;
}
