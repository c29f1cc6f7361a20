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
    expect(c.workerQueues).toEqual(['parse', 'tts', 'merge', 'finalize']);
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

  it('picks worker queues by name', () => {
    expect(loadConfig({ WORKER_QUEUES: 'tts' }).workerQueues).toEqual(['tts']);
  });
});
