import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('runs embedded with no configuration at all', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.s3).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.workerQueues).toEqual([
      'parse',
      'tts',
      'merge',
      'finalize',
      'preview',
      'deliver',
      'voices',
    ]);
  });

  it('names every bad variable in one error', () => {
    const bad = {
      PORT: 'eighty',
      REDIS_URL: 'http://x',
      DATABASE_URL: 'nope',
      WORKER_QUEUES: 'tts,video',
      S3_FORCE_PATH_STYLE: 'maybe',
      S3_BUCKET: 'b',
      SHUTDOWN_TIMEOUT: '-1',
    };
    try {
      loadConfig(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of [
        'PORT',
        'REDIS_URL',
        'DATABASE_URL',
        'WORKER_QUEUES',
        'S3_FORCE_PATH_STYLE',
        'SHUTDOWN_TIMEOUT',
      ]) {
        expect(message).toContain(name);
      }
      expect((err as ConfigError).problems).toHaveLength(6);
    }
  });

  it('refuses S3 settings without a bucket', () => {
    expect(() => loadConfig({ S3_ENDPOINT: 'http://minio:9000' })).toThrow(
      /S3_ENDPOINT is set but S3_BUCKET is not/,
    );
  });

  it('reads where READY books go: an Audiobookshelf server or a watched folder, not both', () => {
    const abs = {
      ABS_URL: 'http://abs:13378',
      ABS_TOKEN: 't',
      ABS_LIBRARY: 'lib',
      ABS_FOLDER: 'fol',
    };
    expect(loadConfig(abs).abs).toEqual({
      kind: 'api',
      url: 'http://abs:13378',
      token: 't',
      library: 'lib',
      folder: 'fol',
    });
    expect(loadConfig({ ABS_LIBRARY_DIR: '/srv/audiobooks' }).abs).toEqual({
      kind: 'dir',
      dir: '/srv/audiobooks',
    });
    expect(loadConfig({}).abs).toBeUndefined();
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ ABS_URL: 'http://abs:13378' })).toEqual([
      'ABS_TOKEN is needed with ABS_URL',
      'ABS_LIBRARY is needed with ABS_URL',
      'ABS_FOLDER is needed with ABS_URL',
    ]);
    expect(problems({ ABS_TOKEN: 't' })).toEqual(['ABS_TOKEN is set but ABS_URL is not']);
    expect(problems({ ...abs, ABS_LIBRARY_DIR: '/srv' })).toEqual([
      'set ABS_URL or ABS_LIBRARY_DIR, not both',
    ]);
  });

  it('picks worker queues by name', () => {
    expect(loadConfig({ WORKER_QUEUES: 'tts' }).workerQueues).toEqual(['tts']);
  });
});

describe('speech engine configuration', () => {
  it('reads an OpenAI-compatible engine, its voices and its rate limit', () => {
    const { tts } = loadConfig({
      TTS_ENGINE: 'openai',
      TTS_BASE_URL: 'http://kokoro:8880',
      TTS_VOICES: 'af_heart@en, ef_dora@es',
      TTS_RATE_LIMIT: '50/60s',
    });
    expect(tts).toMatchObject({
      engine: 'openai',
      baseUrl: 'http://kokoro:8880',
      maxChars: 4096,
      voices: [
        { id: 'af_heart', language: 'en' },
        { id: 'ef_dora', language: 'es' },
      ],
      rateLimit: { max: 50, duration: 60_000 },
    });
  });

  it('names what an engine is missing', () => {
    expect(() => loadConfig({ TTS_ENGINE: 'openai' })).toThrow(/TTS_BASE_URL is required/);
    expect(() => loadConfig({ TTS_ENGINE: 'festival' })).toThrow(
      /TTS_ENGINE=festival must be one of/,
    );
    expect(() => loadConfig({ TTS_ENGINE: 'piper' })).toThrow(/PIPER_VOICES is required/);
    expect(() => loadConfig({ TTS_ENGINE: 'piper', PIPER_VOICES: '/nowhere/voice.onnx' })).toThrow(
      /the Piper voice file \/nowhere\/voice\.onnx is missing or unreadable/,
    );
    expect(() => loadConfig({ TTS_RATE_LIMIT: 'lots' })).toThrow(
      /TTS_RATE_LIMIT=lots must look like 50\/60s/,
    );
  });
});

describe('access and worker configuration', () => {
  const TOKEN = 'abcdef0123456789';

  it('reads tokens with their owners and scopes', () => {
    const c = loadConfig({ API_TOKENS: `alice:${TOKEN}, ops:${TOKEN}x:admin`, HOST: '0.0.0.0' });
    expect(c.apiTokens).toEqual([
      { owner: 'alice', token: TOKEN, admin: false },
      { owner: 'ops', token: `${TOKEN}x`, admin: true },
    ]);
  });

  it('lets a worker listen beyond loopback without API tokens (it serves no API)', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST=0\.0\.0\.0 needs API_TOKENS/);
    expect(loadConfig({ HOST: '0.0.0.0' }, { servesApi: false }).host).toBe('0.0.0.0');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be 16/);
    expect(loadConfig({ WORKER_PORT: '9100' }).workerPort).toBe(9100);
  });

  it('refuses short, malformed or repeated tokens, by entry number', () => {
    for (const [raw, message] of [
      ['alice:short', /entry 1 must be owner:token/],
      [`alice:${TOKEN}:root`, /entry 1 must be owner:token/],
      [`alice:${TOKEN},bob`, /entry 2 must be owner:token/],
      [`alice:${TOKEN},bob:${TOKEN}`, /the same token twice/],
    ] as const) {
      expect(() => loadConfig({ API_TOKENS: raw }), raw).toThrow(message);
    }
  });

  it('sets the light and heavy worker profiles from configuration', () => {
    const c = loadConfig({
      LIGHT_CONCURRENCY: '4',
      LIGHT_LOCK_SECONDS: '5',
      HEAVY_LOCK_SECONDS: '60',
      MERGE_CONCURRENCY: '1',
      TTS_CONCURRENCY: '3',
      STALL_CHECK_SECONDS: '2',
    });
    expect(c.workers).toEqual({
      parse: { concurrency: 4, lockMs: 5000 },
      finalize: { concurrency: 4, lockMs: 5000 },
      tts: { concurrency: 3, lockMs: 60_000 },
      merge: { concurrency: 1, lockMs: 60_000 },
      preview: { concurrency: 2, lockMs: 60_000 },
      deliver: { concurrency: 2, lockMs: 60_000 },
      voices: { concurrency: 1, lockMs: 60_000 },
    });
    expect(c.stallCheckMs).toBe(2000);
    expect(loadConfig({}).apiRateLimit).toEqual({ max: 1200, duration: 60_000 });
    expect(() => loadConfig({ API_RATE_LIMIT: '5 per s' })).toThrow(/API_RATE_LIMIT=5 per s/);
  });
});
