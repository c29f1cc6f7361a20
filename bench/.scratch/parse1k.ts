import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEpubFile } from '../../src/epub/epub-parser.js';
import { makeEpub } from '../../test/support/epub-maker.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'p1k-'));
const book = path.join(dir, 'b.epub');
await makeEpub(book, { chapters: 1000, words: 20 });
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = await parseEpubFile(book);
  console.log(r.chapters.length, (performance.now() - t0).toFixed(0), 'ms');
}
