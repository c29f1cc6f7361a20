import { findOnPath } from '../audio/find-binary.js';
import { createCommandEngine } from './command-engine.js';
import { createSystemEspeakEngine, createWasmEspeakEngine } from './espeak-engine.js';
import { createOpenAiEngine } from './openai-engine.js';
import { createPiperEngine } from './piper-engine.js';
import { createSilenceEngine } from './silence-engine.js';
import type { TtsEngine } from './tts-engine.js';
import type { TtsEngineOptions } from './tts-options.js';

/** The engine TTS_ENGINE names; espeak-ng uses the system binary when installed, else its WASM build. */
export function createTtsEngine(cfg: TtsEngineOptions): TtsEngine {
  switch (cfg.engine) {
    case 'openai':
      return createOpenAiEngine({
        baseUrl: cfg.baseUrl,
        apiKey: cfg.apiKey,
        model: cfg.model,
        voices: cfg.voices,
        defaultVoice: cfg.voice ?? cfg.voices[0]?.id ?? 'alloy',
        timeoutMs: cfg.timeoutMs,
      });
    case 'command':
      return createCommandEngine(cfg.command, {
        voices: cfg.voices.length > 0 ? cfg.voices : undefined,
        defaultVoice: cfg.voice,
      });
    case 'piper':
      return createPiperEngine({
        voices: cfg.piperVoices,
        defaultVoice: cfg.voice,
        concurrency: cfg.concurrency,
      });
    case 'silence':
      return createSilenceEngine();
    case 'espeak': {
      const system = findOnPath('espeak-ng');
      return system ? createSystemEspeakEngine(system) : createWasmEspeakEngine();
    }
  }
}
