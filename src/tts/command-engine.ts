import { spawn } from 'node:child_process';
import { belowNormal } from '../priority.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import { DEFAULT_MAX_CHARS, type TtsEngine, type Voice } from './tts-engine.js';
import { parseWav } from './wav.js';

/**
 * Any program that reads text on stdin and writes a WAV file on stdout: the
 * system `espeak-ng --stdout`, piper, or a script of your own. It gets the
 * voice, language and speed in BOOKFLOW_VOICE, BOOKFLOW_LANGUAGE, BOOKFLOW_SPEED.
 */
export function createCommandEngine(
  command: string,
  opts: { name?: string; voices?: Voice[]; defaultVoice?: string } = {},
): TtsEngine {
  return {
    name: opts.name ?? 'command',
    voices: opts.voices ?? [{ id: 'default', language: null }],
    defaultVoice: opts.defaultVoice ?? 'default',
    open({ language, voice, speed }) {
      const env = {
        ...process.env,
        BOOKFLOW_VOICE: voice,
        BOOKFLOW_LANGUAGE: language,
        BOOKFLOW_SPEED: String(speed),
      };
      // Closing the session (a finished or a cancelled chapter) kills a command still running.
      const session = new AbortController();
      return {
        synthesize: async (text) =>
          parseWav(await runProgram('/bin/sh', ['-c', command], text, env, session.signal)),
        close: () => session.abort(),
      };
    },
  };
}

/** TTS_ENGINE=command (the default when TTS_COMMAND is set): TTS_COMMAND, run per request. */
export const commandEngine = defineEngine({
  variables: ['TTS_COMMAND'],
  settings(r) {
    const command = r.str('TTS_COMMAND');
    if (!command) r.problems.push('TTS_COMMAND is required when TTS_ENGINE=command');
    return { ...commonSettings(r, { maxChars: DEFAULT_MAX_CHARS }), command: command ?? '' };
  },
  create: (s) =>
    withLimits(
      createCommandEngine(s.command, {
        voices: s.voices.length > 0 ? s.voices : undefined,
        defaultVoice: s.voice,
      }),
      s,
    ),
});

/** Runs a program with `input` on stdin; resolves with its stdout, or rejects with its stderr. */
export function runProgram(
  file: string,
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      signal,
      killSignal: 'SIGKILL',
    });
    belowNormal(child.pid);
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`speech command failed (exit ${code}): ${err.trim() || 'no message'}`));
    });
    child.stdin.on('error', () => {}); // the command may exit before reading everything
    child.stdin.end(input);
  });
}
