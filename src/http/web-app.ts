import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { packageFile } from '../source-files.js';

const WEB_DIR = fileURLToPath(packageFile('web'));
const resolve = createRequire(import.meta.url).resolve;

/** The page's libraries, as the ES modules their packages ship (the page's import map names them). */
const VENDOR: Record<string, string> = {
  'preact.mjs': resolve('preact'),
  'hooks.mjs': resolve('preact/hooks'),
  'htm.mjs': path.join(path.dirname(resolve('htm')), 'htm.mjs'),
};

/** The web app's own files and its page: public, like any page (its data needs a token). */
export const isWebPage = (url: string) =>
  url === '/' || url === '/favicon.ico' || url.startsWith('/web/');

/**
 * The web app (web/): plain ES modules, served as they are, with Preact and htm
 * from node_modules, so nothing is built and nothing comes from a CDN.
 */
export async function registerWebApp(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: WEB_DIR,
    prefix: '/web/',
    wildcard: false,
    schemaHide: true,
    index: false,
    // Files change with the service's version; a reload after an upgrade must see them.
    cacheControl: true,
    maxAge: 0,
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  // Browsers ask for it on every page that names none (Bull Board's, /docs): the same icon.
  app.get('/favicon.ico', { schema: { hide: true }, logLevel: 'warn' }, (_request, reply) =>
    reply.type('image/svg+xml').sendFile('favicon.svg'),
  );
  for (const [name, file] of Object.entries(VENDOR)) {
    app.get(`/web/vendor/${name}`, { schema: { hide: true } }, (_request, reply) =>
      reply.sendFile(path.basename(file), path.dirname(file), { maxAge: 3600_000 }),
    );
  }
}
