import type { Command } from 'commander';

/** `bookflow voices`, `voices add <id>`, `voices remove <id>`: on this machine's DATA_DIR. */
export function voicesCommands(program: Command): void {
  type Actions = typeof import('./voices-actions.js');
  const run = (work: (a: Actions) => Promise<number> | number) => async () => {
    try {
      // Loaded when a voices command runs: not for `bookflow --help`.
      process.exitCode = await work(await import('./voices-actions.js'));
    } catch (err) {
      process.stderr.write(`bookflow: ${(err as Error).message}\n`);
      process.exitCode = 2;
    }
  };
  const voices = program
    .command('voices')
    .description('the voices one can install (Piper, Kokoro), and which are installed here')
    .action(run((a) => a.list()));
  voices
    .command('add <id>')
    .description('download a voice (piper:en_US-joe-medium, kokoro:af_heart) into DATA_DIR/voices')
    .action((id: string) => run((a) => a.add(id))());
  voices
    .command('remove <id>')
    .description('delete an installed voice')
    .action((id: string) => run((a) => a.remove(id))());
}
