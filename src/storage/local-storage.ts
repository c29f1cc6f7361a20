import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, Storage } from './storage.js';

/** Storage in a local directory: the zero-configuration default. */
export function createLocalStorage(root: string): Storage {
  const resolve = (key: string) => {
    const full = path.resolve(root, key);
    if (!full.startsWith(path.resolve(root) + path.sep)) throw new Error(`bad object key: ${key}`);
    return full;
  };
  // Folders already made: a book's thousand chapter files share a handful.
  const made = new Set<string>();
  let writes = 0;
  /** Writes to a temporary name and renames, so readers never see half an object. */
  async function writeAtomically(key: string, write: (tmp: string) => Promise<void>) {
    const target = resolve(key);
    const folder = path.dirname(target);
    if (!made.has(folder)) {
      await fs.mkdir(folder, { recursive: true });
      made.add(folder);
    }
    // Unique per write: two writes of one key at once must not share a temporary file.
    writes += 1;
    const tmp = `${target}.${process.pid}.${writes}.tmp`;
    try {
      await write(tmp);
      await fs.rename(tmp, target);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    put: (key, body) =>
      writeAtomically(key, (tmp) =>
        Buffer.isBuffer(body) ? fs.writeFile(tmp, body) : pipeline(body, createWriteStream(tmp)),
      ),
    putFile: (key, filePath) => writeAtomically(key, (tmp) => fs.copyFile(filePath, tmp)),
    async get(key: string, range?: ByteRange) {
      const file = resolve(key);
      await fs.access(file);
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },
    getToFile: async (key, filePath) => {
      await fs.copyFile(resolve(key), filePath);
    },
    async size(key) {
      try {
        return (await fs.stat(resolve(key))).size;
      } catch {
        return undefined;
      }
    },
    deletePrefix: async (prefix) => {
      // A write under way in the folder meanwhile (a DELETE right after an upload) can make
      // the removal see a file appear: ENOTEMPTY, which a retry settles.
      await fs.rm(resolve(prefix), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      made.clear();
    },
    ping: async () => {
      await fs.mkdir(root, { recursive: true });
      await fs.access(root, fs.constants.W_OK);
    },
  };
}
