import path from 'node:path';
import envPaths from 'env-paths';

/** DATA_DIR, resolved: npm runs scripts from the package root; INIT_CWD is where `npm start` was typed. */
export const dataDirOf = (initCwd: string | undefined, dataDir: string | undefined) =>
  path.resolve(initCwd ?? process.cwd(), dataDir ?? 'data');

/**
 * The command line's DATA_DIR: the one given, or the user's data directory (XDG_DATA_HOME,
 * else ~/.local/share/bookflow; the platform's own on macOS and Windows), so `bookflow
 * convert` leaves nothing in the folder it was typed in. `npm start` keeps ./data.
 */
export const cliDataDir = (env: NodeJS.ProcessEnv = process.env) =>
  env.DATA_DIR ? dataDirOf(env.INIT_CWD, env.DATA_DIR) : envPaths('bookflow', { suffix: '' }).data;
