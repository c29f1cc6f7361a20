import os from 'node:os';
import { createDeployment } from '../test/support/deployment.js';
import { fixture } from '../test/support/fixtures.js';

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * A whole fixture novel (Kafka's Metamorphosis) through the service with the engine `env`
 * names, upload to READY, on this machine's cores: hours of audio per hour of wall time.
 */
export async function novelThroughService(
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const d = await createDeployment({ env: () => env });
  try {
    await d.start('api');
    await d.start('worker');
    const t0 = performance.now();
    const { body } = await d.api.upload(fixture('pressbooks-metamorphosis-epub2.epub'));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED'], timeoutMs);
    const wallSec = (performance.now() - t0) / 1000;
    if (book.status !== 'READY') throw new Error(`the book ended ${book.status}: ${book.error}`);
    const audioSec = book.durationSec ?? 0;
    return {
      cores: os.availableParallelism(),
      chapters: book.chapters.length,
      audioHours: round(audioSec / 3600),
      wallMinutes: round(wallSec / 60),
      audioHoursPerWallHour: round(audioSec / wallSec),
    };
  } finally {
    await d.stop();
  }
}
