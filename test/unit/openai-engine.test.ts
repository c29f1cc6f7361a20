import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/tts/openai-engine.js';
import { voiceFor } from '../../src/tts/voices.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [null, undefined],
    ['2', 2000],
    ['0.5', 500],
    ['Thu, 01 Jan 2026 00:00:03 GMT', 3000],
    ['soon', undefined],
  ])('%j → %j ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});

describe('default voice', () => {
  const engine = {
    defaultVoice: 'af_heart',
    voices: [
      { id: 'af_heart', language: 'en' },
      { id: 'ef_dora', language: 'es' },
    ],
  };
  it.each([
    ['es', 'ef_dora'],
    ['es-MX', 'ef_dora'],
    ['ja', 'af_heart'],
    ['en-US', 'af_heart'],
  ])('a book in %s is read by %s', (language, voice) => {
    expect(voiceFor({ voice: null, language }, engine)).toBe(voice);
  });
});
