import fss from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fsw-'));
const buf = Buffer.from('hello world '.repeat(20));
let t0 = performance.now();
for (let i = 0; i < 1000; i += 16)
  await Promise.all(
    Array.from({ length: 16 }, (_, j) => fs.writeFile(path.join(dir, `a${i + j}`), buf)),
  );
console.log('writeFile', (performance.now() - t0).toFixed(0));
t0 = performance.now();
for (let i = 0; i < 1000; i += 16)
  await Promise.all(
    Array.from({ length: 16 }, (_, j) =>
      fs.rename(path.join(dir, `a${i + j}`), path.join(dir, `b${i + j}`)),
    ),
  );
console.log('rename', (performance.now() - t0).toFixed(0));
t0 = performance.now();
for (let i = 0; i < 1000; i++) fss.writeFileSync(path.join(dir, `c${i}`), buf);
console.log('writeFileSync', (performance.now() - t0).toFixed(0));
t0 = performance.now();
for (let i = 0; i < 1000; i += 16)
  await Promise.all(
    Array.from(
      { length: 16 },
      (_, j) =>
        new Promise((r, e) =>
          fss.writeFile(path.join(dir, `d${i + j}`), buf, (err) => (err ? e(err) : r(0))),
        ),
    ),
  );
console.log('fs.writeFile cb', (performance.now() - t0).toFixed(0));
await fs.rm(dir, { recursive: true });
