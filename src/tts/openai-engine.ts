import { setTimeout as sleep } from 'node:timers/promises';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import {
  EngineUnavailableError,
  PermanentTtsError,
  type TtsEngine,
  type Voice,
} from './tts-engine.js';
import { parseWav } from './wav.js';

export interface OpenAiEngineOptions {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  voices: Voice[];
  defaultVoice: string;
  /** A request that has not answered by then is abandoned. */
  timeoutMs: number;
  /** Attempts per request at 429/5xx before the chapter job's own retry takes over. */
  tries?: number;
  /** Longest wait a Retry-After may ask for; longer ones go back to the job's backoff. */
  maxRetryAfterMs?: number;
}

/** A failure worth retrying later (server trouble with this text). */
export class TransientTtsError extends Error {
  override name = 'TransientTtsError';
}

/** Answers that mean "not now, for anyone" rather than "not this text". */
const UNAVAILABLE_STATUS = new Set([429, 502, 503, 504]);

/** How long the outage probe waits for an answer. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * The OpenAI speech API (`POST {base}/v1/audio/speech`), which OpenAI and many
 * self-hosted servers speak (Kokoro-FastAPI, LocalAI, openedai-speech…).
 * 429 and 5xx are retried here, honouring Retry-After; other 4xx are permanent
 * and carry the server's message; a hung request times out.
 */
export function createOpenAiEngine(opts: OpenAiEngineOptions): TtsEngine {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/v1/audio/speech`;
  const tries = opts.tries ?? 4;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  /** One POST, with its answer read whole, within `timeoutMs` (or until the session closes). */
  async function post(body: Record<string, unknown>, closed: AbortSignal, timeoutMs: number) {
    // A plain controller and timer: on Node 20, AbortSignal.any() may let a timeout signal be
    // collected before it fires, and a hung request would then wait forever.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const onClose = () => abort.abort();
    closed.addEventListener('abort', onClose, { once: true });
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      if (res.ok) return { res, audio: Buffer.from(await res.arrayBuffer()) };
      return { res, message: await serverMessage(res) };
    } catch (err) {
      throw new EngineUnavailableError(
        timedOut
          ? `the speech server did not answer within ${timeoutMs / 1000} s`
          : `the speech server is unreachable: ${unreachableCause(err as Error)}`,
      );
    } finally {
      clearTimeout(timer);
      closed.removeEventListener('abort', onClose);
    }
  }

  /** A request, retried in place on 429 and 5xx (honouring Retry-After), failing at once on other 4xx. */
  async function request(body: Record<string, unknown>, closed: AbortSignal): Promise<Buffer> {
    let last: Error = new TransientTtsError('no attempt made');
    for (let attempt = 1; attempt <= tries; attempt++) {
      const { res, audio, message } = await post(body, closed, opts.timeoutMs);
      if (audio) return audio;
      if (res.status !== 429 && res.status < 500) {
        throw new PermanentTtsError(
          `the speech server refused the request (${res.status}): ${message}`,
        );
      }
      const Kind = UNAVAILABLE_STATUS.has(res.status) ? EngineUnavailableError : TransientTtsError;
      last = new Kind(`the speech server answered ${res.status}: ${message}`);
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? 500 * 2 ** (attempt - 1);
      if (attempt === tries || wait > maxRetryAfterMs) break;
      await sleep(wait);
    }
    throw last;
  }

  /** One short request, not retried: does the server answer at all? */
  async function probe(): Promise<void> {
    const body = { model: opts.model, input: 'Ready.', voice: opts.defaultVoice };
    const timeoutMs = Math.min(opts.timeoutMs, PROBE_TIMEOUT_MS);
    const { res, message } = await post(body, new AbortController().signal, timeoutMs);
    if (UNAVAILABLE_STATUS.has(res.status)) {
      throw new EngineUnavailableError(`the speech server answered ${res.status}: ${message}`);
    }
  }

  return {
    name: `openai-compatible (${opts.baseUrl})`,
    voices: opts.voices,
    defaultVoice: opts.defaultVoice,
    open: ({ voice, speed }) => {
      // Closing the session (a cancelled chapter) abandons a request in flight.
      const session = new AbortController();
      return {
        synthesize: async (input) =>
          parseWav(
            await request(
              { model: opts.model, input, voice, response_format: 'wav', speed },
              session.signal,
            ),
          ),
        close: () => session.abort(),
      };
    },
    probe,
    lookahead: 2,
    // Each request has its latency and, often, its price: one a paragraph.
    unit: 'paragraph',
  };
}

/** OpenAI's own voices; they speak every language the model knows. */
const OPENAI_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

/**
 * TTS_ENGINE=openai: a server at TTS_BASE_URL. It takes 4096 characters a request (OpenAI's
 * limit) and mostly waits, so eight chapters at once per worker by default.
 */
export const openAiEngine = defineEngine({
  variables: ['TTS_BASE_URL', 'TTS_API_KEY', 'TTS_MODEL'],
  settings(r) {
    const baseUrl = r.str('TTS_BASE_URL');
    if (!baseUrl) r.problems.push('TTS_BASE_URL is required when TTS_ENGINE=openai');
    else if (!/^https?:\/\//.test(baseUrl)) r.problems.push('TTS_BASE_URL must be an http(s) URL');
    const common = commonSettings(r, { maxChars: 4096, concurrency: 8, voices: OPENAI_VOICES });
    const model = r.str('TTS_MODEL') ?? 'tts-1';
    return { ...common, baseUrl: baseUrl ?? '', apiKey: r.str('TTS_API_KEY'), model };
  },
  create: (s) =>
    withLimits(
      createOpenAiEngine({
        baseUrl: s.baseUrl,
        apiKey: s.apiKey,
        model: s.model,
        voices: s.voices,
        defaultVoice: s.voice ?? s.voices[0]?.id ?? 'alloy',
        timeoutMs: s.timeoutMs,
      }),
      s,
    ),
});

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function serverMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 1000);
  try {
    const body = JSON.parse(text) as {
      error?: { message?: string } | string;
      detail?: unknown;
      message?: string;
    };
    const e = body.error;
    const msg = typeof e === 'string' ? e : (e?.message ?? body.message ?? body.detail);
    if (msg) return typeof msg === 'string' ? msg : JSON.stringify(msg);
  } catch {
    // not JSON: use the text as it is
  }
  return text || res.statusText;
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function unreachableCause(err: Error): string {
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? err.message;
}
