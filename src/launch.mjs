// Runs one of bookflow's entry points (`start`, `api`, `worker`, `cli/cli-main`): as the
// JavaScript `npm run build` compiled into dist/ when that is newer than every source file,
// else as TypeScript through tsx. So a fresh install starts without compiling its code at
// every start, and a checkout being edited never runs what was built before the edit.
// Plain JavaScript: nothing could load TypeScript yet.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time of the sources the build compiles (ms). */
function newestSource() {
  let newest = 0;
  for (const folder of ['src', 'flows']) {
    for (const entry of fs.readdirSync(path.join(ROOT, folder), {
      recursive: true,
      withFileTypes: true,
    })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      // `parentPath` from Node 20.12; `path`, its older name, before.
      const dir = entry.parentPath ?? entry.path;
      newest = Math.max(newest, fs.statSync(path.join(dir, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Imports the entry point `entry` (a path under src/ without extension) in the form to run. */
export async function launch(entry) {
  const built = path.join(ROOT, 'dist', 'src', `${entry}.js`);
  const builtAt = fs.statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (builtAt > newestSource()) return import(pathToFileURL(built).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(ROOT, 'src', `${entry}.ts`)).href);
}

// `node src/launch.mjs start`: the package's scripts (npm start, npm run api, npm run worker).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  await launch(process.argv[2]);
}
