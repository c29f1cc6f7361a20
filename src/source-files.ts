/**
 * bookflow runs as TypeScript through tsx (tests, a checkout being edited) or as the
 * JavaScript `npm run build` compiles into dist/ (what `npm start` runs after `npm install`;
 * see launch.mjs). Code that names another file by its path asks here, so both forms find it.
 */
export const COMPILED = import.meta.url.endsWith('.js');

/** A module of ours beside `base` (its `import.meta.url`), named without extension. */
export const sourceFile = (name: string, base: string) =>
  new URL(`${name}${COMPILED ? '.js' : '.ts'}`, base);

/** A file or folder of the package that is not compiled (web/, migrations/), from its root. */
export const packageFile = (relative: string) =>
  new URL(`${COMPILED ? '../../' : '../'}${relative}`, import.meta.url);
