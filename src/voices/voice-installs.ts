import type { BookQueries } from '../books/book-queries.js';
import { createTtlCache } from '../books/ttl-cache.js';
import type { VoiceInstallRow } from '../db/schema.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import { whyUnreachable } from '../net.js';
import type { Voice } from '../tts/tts-engine.js';
import {
  type CatalogueSources,
  type CatalogueVoice,
  fetchCatalogue,
  sizeOf,
} from './voice-catalogue.js';
import { lookUpVoice } from './voice-store.js';

/** How long the catalogues read from their servers are used before they are read again. */
const CATALOGUE_TTL_MS = 10 * 60_000;

/** An install as the API shows it (and admins' event streams send it, as `voice` events). */
export const installView = (row: VoiceInstallRow) => ({
  id: row.voiceId,
  state: row.state,
  doneBytes: row.doneBytes,
  totalBytes: row.totalBytes,
  error: row.error,
});

/**
 * Voices installed for the whole fleet from the API (admins): the catalogue with what is
 * installed, and an install asked for, done by a worker (workers/voice-install-processor.ts).
 */
export function createVoiceInstalls(deps: {
  books: Pick<BookQueries, 'installRequested' | 'voiceInstallList'>;
  jobs: Pick<BookJobs, 'installVoice'>;
  sources: CatalogueSources;
  /** What the engines offer now. */
  offered: () => Voice[];
}) {
  const cache = createTtlCache<CatalogueVoice[]>(CATALOGUE_TTL_MS);
  const catalogue = () =>
    cache.get('all', () =>
      fetchCatalogue(deps.sources).catch((err: Error) => {
        throw new UnavailableError(`the voice catalogue could not be read: ${whyUnreachable(err)}`);
      }),
    );

  /** Every voice one can install, with whether it is offered here and its install's state. */
  async function list() {
    const [voices, rows] = await Promise.all([catalogue(), deps.books.voiceInstallList()]);
    const installs = new Map(rows.map((r) => [r.voiceId, installView(r)]));
    const offered = new Set(deps.offered().map((v) => v.id));
    return voices.map((v) => ({
      id: v.id,
      engine: v.engine,
      language: v.language,
      quality: v.quality,
      licence: v.licence,
      sizeBytes: sizeOf(v.files),
      installed: offered.has(v.id) || installs.get(v.id)?.state === 'DONE',
      install: installs.get(v.id) ?? null,
    }));
  }

  /** Asks a worker to install `id` (a catalogue id, or a name one engine alone has). */
  async function install(id: string) {
    const { voice, closest } = lookUpVoice(await catalogue(), id);
    if (!voice)
      throw new NotFoundError(`voice ${id} (closest in the catalogue: ${closest.join(', ')})`);
    const total = sizeOf(voice.files);
    await deps.books.installRequested(voice.id, total);
    await deps.jobs.installVoice(voice.id);
    return {
      id: voice.id,
      state: 'PENDING' as const,
      doneBytes: 0,
      totalBytes: total,
      error: null,
    };
  }

  return { list, install };
}
