import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { tempDir } from './services.js';

export interface AbsUpload {
  fields: Record<string, string>;
  files: string[];
  dir: string;
}

export interface AbsStandIn {
  url: string;
  library: string;
  folder: string;
  /** The folder's path on "the server": items are written under it. */
  root: string;
  uploads: AbsUpload[];
  /** Answers this many uploads with 503 first (a server away for a while). */
  failNext: number;
  close(): Promise<void>;
}

/**
 * A small Audiobookshelf over real HTTP, answering `POST /api/upload` the way Audiobookshelf
 * 2.x does (server/controllers/MiscController.js handleUpload): a user by bearer token (401
 * otherwise), 403 without upload permission, 404 for a library or folder it does not have,
 * 500 without files or when the item's folder exists, else the files written to
 * `<folder>/<author>/[<series>/]<title>/` and 200.
 */
export async function startAbsServer(users: Record<string, { canUpload: boolean }>) {
  const root = await tempDir();
  const app = Fastify();
  await app.register(multipart, { limits: { fileSize: 1 << 30 } });
  const server: AbsStandIn = {
    url: '',
    library: 'lib_c1u6t4p45c35rf0nzd',
    folder: 'fol_bev1zuxhb0j0s1wehr',
    root,
    uploads: [],
    failNext: 0,
    close: async () => {
      await app.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  app.post('/api/upload', async (request, reply) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const user = users[token];
    if (!user) return reply.code(401).send('Unauthorized');
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
        await pipeline(
          part.file,
          createWriteStream(path.join(staged, path.basename(part.filename))),
        );
      }
    }
    if (fields.library !== server.library) return reply.code(404).send('Library not found');
    if (fields.folder !== server.folder) return reply.code(404).send('Folder not found');
    if (files.length === 0) return reply.code(500).send('No files');
    const parts = [fields.author, fields.series, fields.title].filter((p): p is string => !!p);
    const dir = path.join(root, ...parts);
    if (await fs.stat(dir).catch(() => undefined)) return reply.code(500).send('Directory exists');
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.rename(staged, dir);
    server.uploads.push({ fields, files, dir });
    return reply.code(200).send();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  server.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return server;
}
