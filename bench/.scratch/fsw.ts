import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalStorage } from '../../src/storage/local-storage.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fsw-'));
const s = createLocalStorage(dir);
for (const par of [16, 64]) {
  const t0 = performance.now();
  for (let i = 0; i < 1000; i += par)
    await Promise.all(
      Array.from({ length: par }, (_, j) =>
        s.put(`books/x${par}/chapters/${i + j}.txt`, Buffer.from('hello world '.repeat(20))),
      ),
    );
  console.log(par, (performance.now() - t0).toFixed(0), 'ms');
}
await fs.rm(dir, { recursive: true });
