import type { TtsEngine } from './tts-engine.js';

/**
 * An engine whose voices may change while the service runs (a voice installed for the fleet:
 * voices/voice-watch.ts). Everyone holds this one object; what it says and opens is the
 * newest build's. A session already open goes on with the engine that opened it.
 */
export function reloadableEngine(build: () => TtsEngine): TtsEngine & { reload(): void } {
  let current = build();
  return {
    get name() {
      return current.name;
    },
    get voices() {
      return current.voices;
    },
    get defaultVoice() {
      return current.defaultVoice;
    },
    get sharedRecording() {
      return current.sharedRecording?.bind(current);
    },
    open: (opts) => current.open(opts),
    get lookahead() {
      return current.lookahead;
    },
    get unit() {
      return current.unit;
    },
    get wordsPerMinute() {
      return current.wordsPerMinute?.bind(current);
    },
    get route() {
      return current.route?.bind(current);
    },
    get maxChars() {
      return current.maxChars;
    },
    get concurrency() {
      return current.concurrency;
    },
    get rateLimit() {
      return current.rateLimit;
    },
    get probe() {
      return current.probe?.bind(current);
    },
    reload() {
      current = build();
    },
  };
}
