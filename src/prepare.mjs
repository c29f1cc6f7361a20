// `npm install`'s prepare step: compiles the service into dist/ (`npm run build`) where
// TypeScript is installed. An install without dev dependencies (`--omit=dev`) has no tsc:
// that is no error, launch.mjs then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.log('bookflow: TypeScript is not installed, so not compiled; it runs through tsx');
  process.exit(0);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
