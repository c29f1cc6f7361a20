import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus of real and broken books; used in place, never copied. */
export const FIXTURES = path.resolve(
  fileURLToPath(new URL('../../../shared/fixtures/epub', import.meta.url)),
);
export const fixture = (name: string) => path.join(FIXTURES, name);
export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
