import { kokoroLanguage, MODEL_FILES } from '../tts/kokoro-voice.js';

/**
 * The voices one can install, read from where their makers publish them:
 * - Piper: `voices.json` of the Hugging Face repository rhasspy/piper-voices (PIPER_VOICES_URL,
 *   its `resolve/<revision>` base), each voice's files with their size and MD5;
 * - Kokoro: the file tree of onnx-community/Kokoro-82M-v1.0-ONNX (KOKORO_URL, the repository's
 *   address), read through the Hub's API (`/api/models/<repo>/tree/main/<folder>`), each file
 *   with its size and SHA-256 (large files) or git blob id (small ones).
 * Voice ids name their engine: `piper:en_US-joe-medium`, `kokoro:af_heart`.
 */
export interface CatalogueFile {
  url: string;
  /** Where it goes, under the voices folder. */
  dest: string;
  size: number;
  digest: { md5: string } | { sha256: string } | { gitBlob: string } | undefined;
}

export interface CatalogueVoice {
  id: string;
  engine: 'piper' | 'kokoro';
  language: string;
  quality: string;
  licence: string;
  /** Everything it needs: a Kokoro voice brings the model and vocabulary the first time. */
  files: CatalogueFile[];
}

export interface CatalogueSources {
  piperUrl: string;
  kokoroUrl: string;
}

export const DEFAULT_SOURCES: CatalogueSources = {
  piperUrl: 'https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0',
  kokoroUrl: 'https://huggingface.co/onnx-community/Kokoro-82M-v1.0-ONNX',
};

type FetchJson = (url: string) => Promise<unknown>;

interface PiperEntry {
  key: string;
  language?: { code?: string; family?: string };
  quality?: string;
  files?: Record<string, { size_bytes?: number; md5_digest?: string }>;
}

export async function piperCatalogue(base: string, getJson: FetchJson): Promise<CatalogueVoice[]> {
  const entries = (await getJson(`${base}/voices.json`)) as Record<string, PiperEntry>;
  return Object.values(entries).map((v) => ({
    id: `piper:${v.key}`,
    engine: 'piper' as const,
    language: v.language?.code ?? v.language?.family ?? '',
    quality: v.quality ?? '',
    // Piper's voices each have their own licence, in the MODEL_CARD installed beside them.
    licence: 'see its MODEL_CARD',
    files: Object.entries(v.files ?? {}).map(([file, info]) => ({
      url: `${base}/${file}`,
      // Each voice in a folder of its own: every one has a MODEL_CARD.
      dest: `piper/${v.key}/${file.split('/').at(-1)}`,
      size: info.size_bytes ?? 0,
      digest: info.md5_digest ? { md5: info.md5_digest } : undefined,
    })),
  }));
}

interface HubEntry {
  type: string;
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
}

/** Kokoro's voices from the repository's tree; each brings the model and vocabulary along. */
export async function kokoroCatalogue(
  repoUrl: string,
  getJson: FetchJson,
): Promise<CatalogueVoice[]> {
  const repo = new URL(repoUrl);
  const tree = async (folder: string) =>
    (await getJson(`${repo.origin}/api/models${repo.pathname}/tree/main/${folder}`)) as HubEntry[];
  const asFile = (e: HubEntry): CatalogueFile => ({
    url: `${repoUrl}/resolve/main/${e.path}`,
    dest: `kokoro/${e.path}`,
    size: e.lfs?.size ?? e.size,
    digest: e.lfs ? { sha256: e.lfs.oid } : { gitBlob: e.oid },
  });
  const [top, onnx, voices] = await Promise.all([tree(''), tree('onnx'), tree('voices')]);
  const shared = [...top, ...onnx]
    .filter((e) => e.path === 'tokenizer.json' || e.path === MODEL_FILES[0])
    .map(asFile);
  return voices
    .filter((e) => e.type === 'file' && e.path.endsWith('.bin'))
    .map((e) => {
      const name = e.path.slice('voices/'.length, -'.bin'.length);
      return {
        id: `kokoro:${name}`,
        engine: 'kokoro' as const,
        language: kokoroLanguage(name)?.espeakVoice ?? '',
        quality: 'neural',
        licence: 'Apache-2.0',
        files: [...shared, asFile(e)],
      };
    });
}

/** Every voice of both catalogues, by id. */
export async function readCatalogue(
  sources: CatalogueSources,
  getJson: FetchJson,
): Promise<CatalogueVoice[]> {
  const [piper, kokoro] = await Promise.all([
    piperCatalogue(sources.piperUrl, getJson),
    kokoroCatalogue(sources.kokoroUrl, getJson),
  ]);
  return [...piper, ...kokoro].sort((a, b) => a.id.localeCompare(b.id));
}

/** The catalogues as their servers publish them now (PIPER_VOICES_URL, KOKORO_URL). */
export function fetchCatalogue(sources: CatalogueSources): Promise<CatalogueVoice[]> {
  const getJson = async (url: string) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.json();
  };
  return readCatalogue(sources, getJson);
}

/** A voice by its id, or by its bare name (`af_heart`) when one engine alone has it. */
export function findVoice(voices: CatalogueVoice[], id: string): CatalogueVoice | undefined {
  const bare = voices.filter((v) => v.id.slice(v.id.indexOf(':') + 1) === id);
  return voices.find((v) => v.id === id) ?? (bare.length === 1 ? bare[0] : undefined);
}

/** Bytes of a voice's files together. */
export const sizeOf = (files: readonly { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
