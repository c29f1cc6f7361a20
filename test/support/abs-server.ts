import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { tempDir } from './services.js';

export interface AbsUpload {
  fields: Record<string, string>;
  files: string[];
  dir: string;
}

export interface AbsUser {
  canUpload: boolean;
  canDelete?: boolean;
}

export interface AbsStandIn {
  url: string;
  library: string;
  folder: string;
  /** The folder's path on "the server": items are written under it. */
  root: string;
  uploads: AbsUpload[];
  /** Files deleted through the API, by path. */
  deleted: string[];
  /** Answers this many uploads with 503 first (a server away for a while). */
  failNext: number;
  close(): Promise<void>;
}

/**
 * A name as Audiobookshelf 2.36.0 writes it (server/utils/fileUtils.js sanitizeFilename),
 * step by step as it does: the first ':' to ' - ', then illegal characters, control
 * characters, all-dot names, line breaks, Windows' reserved names, trailing dots and spaces,
 * runs of white space. (Names over 255 UTF-16 bytes, which it also cuts, are not made here.)
 */
export function absSanitize(filename: string): string {
  return (
    filename
      .normalize('NFC')
      .replace(':', ' - ')
      .replace(/[/?<>\\:*|"]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as Audiobookshelf's own
      .replace(/[\x00-\x1f\x80-\x9f]/g, '')
      .replace(/^\.+$/, '')
      .replace(/[\n\r]/g, '')
      .replace(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i, '')
      .replace(/[. ]+$/, '')
      .replace(/\s+/g, ' ')
  );
}

/**
 * A small Audiobookshelf 2.36.0 over real HTTP, as its source answers (read at that tag):
 * - `POST /api/upload` (MiscController.handleUpload): 401 without a user, 403 without upload
 *   permission, 400 without files or without library, folder and title, 404 for a library or
 *   folder it does not have; then each of `[author, series, title]` given, sanitized, is the
 *   item's folder, made if missing, and each file is moved into it under its sanitized name,
 *   replacing one of that name (since 2.7.0 an existing folder is no refusal);
 * - `GET /api/libraries/:id/search?q=` (LibraryController.search): `{ book: [{ libraryItem }] }`
 *   for items whose title (from metadata.json) holds the words, with `id`, `path`, `relPath`
 *   and `libraryFiles` `{ ino, metadata: { filename, ext, path, relPath } }`;
 * - `DELETE /api/items/:id/file/:fileid` (LibraryItemController.deleteLibraryFile): 404 for an
 *   unknown item or file, 403 without delete permission, else the file removed.
 */
export async function startAbsServer(users: Record<string, AbsUser>) {
  const root = await tempDir();
  const app = Fastify();
  await app.register(multipart, { limits: { fileSize: 1 << 30 } });
  const server: AbsStandIn = {
    url: '',
    library: 'lib_c1u6t4p45c35rf0nzd',
    folder: 'fol_bev1zuxhb0j0s1wehr',
    root,
    uploads: [],
    deleted: [],
    failNext: 0,
    close: async () => {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  const userOf = (request: FastifyRequest, reply: FastifyReply) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const user = users[token];
    if (!user) reply.code(401).send('Unauthorized');
    return user;
  };

  app.post('/api/upload', async (request, reply) => {
    const user = userOf(request, reply);
    if (!user) return reply;
    if (!user.canUpload) return reply.code(403).send('Forbidden');
    if (server.failNext > 0) {
      server.failNext -= 1;
      return reply.code(503).send('Service Unavailable');
    }
    const staged = await tempDir();
    const fields: Record<string, string> = {};
    const files: string[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'field') fields[part.fieldname] = String(part.value);
      else {
        files.push(part.filename);
        await pipeline(part.file, createWriteStream(path.join(staged, `${files.length}`)));
      }
    }
    if (files.length === 0) return reply.code(400).send('Bad Request');
    if (!fields.library || !fields.folder || !fields.title)
      return reply.code(400).send('Invalid request body');
    if (fields.library !== server.library) return reply.code(404).send('Library not found');
    if (fields.folder !== server.folder) return reply.code(404).send('Folder not found');
    const parts = [fields.author, fields.series, fields.title].filter((p): p is string => !!p);
    const dir = path.join(root, ...parts.map(absSanitize));
    await fs.mkdir(dir, { recursive: true });
    for (const [i, name] of files.entries())
      await fs.rename(path.join(staged, `${i + 1}`), path.join(dir, absSanitize(name)));
    await fs.rm(staged, { recursive: true, force: true });
    server.uploads.push({ fields, files, dir });
    return reply.code(200).send('OK');
  });

  app.get<{ Params: { id: string }; Querystring: { q?: string } }>(
    '/api/libraries/:id/search',
    async (request, reply) => {
      if (!userOf(request, reply)) return reply;
      if (request.params.id !== server.library) return reply.code(404).send('Not Found');
      const q = request.query.q?.trim().toLowerCase();
      if (!q) return reply.code(400).send('Invalid request. Query param "q" must be a string');
      const items = await itemsUnder(root);
      const book = items
        .filter((i) => i.title.toLowerCase().includes(q))
        .map(({ title: _title, ...libraryItem }) => ({ libraryItem }));
      return { book, narrators: [], tags: [], genres: [], series: [], authors: [] };
    },
  );

  app.delete<{ Params: { id: string; fileid: string } }>(
    '/api/items/:id/file/:fileid',
    async (request, reply) => {
      const user = userOf(request, reply);
      if (!user) return reply;
      const item = (await itemsUnder(root)).find((i) => i.id === request.params.id);
      if (!item) return reply.code(404).send('Not Found');
      const file = item.libraryFiles.find((f) => f.ino === request.params.fileid);
      if (!file) return reply.code(404).send('Not Found');
      if (!user.canDelete) return reply.code(403).send('Forbidden');
      await fs.rm(file.metadata.path, { force: true });
      server.deleted.push(file.metadata.path);
      return reply.code(200).send('OK');
    },
  );

  await app.listen({ host: '127.0.0.1', port: 0 });
  server.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return server;
}

/** The library's items as its scanner would have them: each folder holding a metadata.json. */
async function itemsUnder(root: string) {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const folders = entries
    .filter((e) => e.isFile() && e.name === 'metadata.json')
    .map((e) => e.parentPath);
  return Promise.all(
    folders.map(async (dir) => {
      const relPath = path.relative(root, dir).split(path.sep).join('/');
      const names = (await fs.readdir(dir)).filter((n) => !n.startsWith('.'));
      const libraryFiles = await Promise.all(
        names.map(async (filename) => {
          const file = path.join(dir, filename);
          const { ino } = await fs.stat(file);
          const ext = path.extname(filename);
          return { ino: String(ino), metadata: { filename, ext, path: file, relPath: filename } };
        }),
      );
      const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8'));
      const id = `li_${createHash('sha1').update(relPath).digest('hex').slice(0, 20)}`;
      return { id, path: dir, relPath, libraryFiles, title: String(meta.title ?? '') };
    }),
  );
}
