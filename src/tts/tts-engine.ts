import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Pcm, parseWav } from './wav.js';

/** One chapter's conversation with a speech engine; segments are synthesized in order. */
export interface TtsSession {
  synthesize(text: string): Promise<Pcm>;
  close(): void;
}

export interface TtsEngine {
  readonly name: string;
  open(language: string): TtsSession;
}

/** espeak-ng voices are named by language; the primary subtag is the safe choice. */
export function voiceFor(language: string): string {
  return (language.toLowerCase().split(/[-_]/)[0] ?? '').replace(/[^a-z]/g, '') || 'en';
}

const ESPEAK_CLI = fileURLToPath(new URL('./espeak-cli.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

/** espeak-ng compiled to WASM (npm `espeak-ng`): works with nothing installed. */
export function createWasmEspeakEngine(): TtsEngine {
  return {
    name: 'espeak-ng (wasm)',
    open(language) {
      const child = spawn(process.execPath, ['--import', TSX, ESPEAK_CLI], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const frames = new FrameReader(child);
      const voice = voiceFor(language);
      return {
        async synthesize(text) {
          child.stdin?.write(`${JSON.stringify({ text, voice })}\n`);
          return parseWav(await frames.next());
        },
        close: () => {
          child.stdin?.end();
          child.kill();
        },
      };
    },
  };
}

/**
 * Any program that reads text on stdin and writes a WAV file on stdout: the
 * system `espeak-ng --stdout`, piper, or a script of your own. The voice is
 * passed in BOOKFLOW_VOICE, the book language in BOOKFLOW_LANGUAGE.
 */
export function createCommandEngine(command: string, name = command): TtsEngine {
  return {
    name,
    open(language) {
      const env = {
        ...process.env,
        BOOKFLOW_VOICE: voiceFor(language),
        BOOKFLOW_LANGUAGE: language,
      };
      return {
        synthesize: async (text) => parseWav(await runCommand(command, text, env)),
        close: () => {},
      };
    },
  };
}

function runCommand(command: string, input: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
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

/** Reads the espeak-cli framing: a 4-byte length, then that many bytes (0 = failure). */
class FrameReader {
  private buf = Buffer.alloc(0);
  private waiting: { resolve(b: Buffer): void; reject(e: Error): void } | undefined;
  private stderr = '';
  private exited: Error | undefined;

  constructor(child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    child.stderr?.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-2000);
    });
    child.on('close', (code, signal) => {
      this.exited = new Error(`speech engine exited (${signal ?? code}): ${this.lastError()}`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
  }

  next(): Promise<Buffer> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.drain();
    });
  }

  private lastError(): string {
    return this.stderr.trim().split('\n').pop() || 'no message';
  }

  private drain(): void {
    if (!this.waiting || this.buf.length < 4) return;
    const len = this.buf.readUInt32LE(0);
    if (this.buf.length < 4 + len) return;
    const frame = this.buf.subarray(4, 4 + len);
    this.buf = this.buf.subarray(4 + len);
    const { resolve, reject } = this.waiting;
    this.waiting = undefined;
    if (len === 0) reject(new Error(this.lastError()));
    else resolve(Buffer.from(frame));
  }
}

/** TTS_COMMAND if given; else the system espeak-ng when installed; else the WASM build. */
export function createTtsEngine(opts: {
  command: string | undefined;
  findOnPath(bin: string): string | null;
}): TtsEngine {
  if (opts.command) return createCommandEngine(opts.command);
  const system = opts.findOnPath('espeak-ng');
  if (system)
    return createCommandEngine(`'${system}' -v "$BOOKFLOW_VOICE" --stdout`, 'espeak-ng (system)');
  return createWasmEspeakEngine();
}
