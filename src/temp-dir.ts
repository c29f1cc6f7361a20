import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A scratch directory under the OS temp folder, removed however the work ends. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
  prefix = 'bookflow-',
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
