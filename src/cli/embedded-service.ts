import pino from 'pino';
import { loadConfig } from '../config.js';
import type { Env } from '../env-readers.js';
import { createService } from '../main.js';

/**
 * The whole service in this process, as `npm start` runs it (same DATA_DIR and
 * settings from the environment), on a free port of 127.0.0.1 and without
 * tokens (it answers only this machine). It logs only fatal errors, on stderr (a book's failure is told by the command), so
 * the command's own output stays readable.
 */
export async function startEmbeddedService(
  env: Env = process.env,
): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig(
    { ...env, PORT: '0', HOST: '127.0.0.1', API_TOKENS: '' },
    { servesApi: true },
  );
  const service = createService('all', config, pino({ level: 'fatal' }, pino.destination(2)));
  try {
    const url = await service.start();
    if (!url) throw new Error('the embedded service did not start its API');
    return { url, close: service.close };
  } catch (err) {
    await service.close();
    throw err;
  }
}
