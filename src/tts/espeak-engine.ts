import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../audio/find-binary.js';
import { belowNormal } from '../priority.js';
import { COMPILED, sourceFile } from '../source-files.js';
import { runProgram } from './command-engine.js';
import { commonSettings, defineEngine, withLimits } from './engine-settings.js';
import { DEFAULT_MAX_CHARS, PermanentTtsError, type TtsEngine, type Voice } from './tts-engine.js';
import { parseWav } from './wav.js';

/** espeak-ng voices are named by language; these are the ones worth offering. */
const LANGUAGES = [
  'ar',
  'ca',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'en-us',
  'es',
  'eu',
  'fi',
  'fr',
  'he',
  'hi',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'nb',
  'nl',
  'pl',
  'pt',
  'pt-br',
  'ro',
  'ru',
  'sv',
  'tr',
  'uk',
  'vi',
  'zh',
];
export const ESPEAK_VOICES: Voice[] = LANGUAGES.map((id) => ({
  id,
  language: id.split('-')[0] ?? id,
}));
/** espeak-ng's normal pace, in words per minute. */
const ESPEAK_WPM = 175;
/**
 * What a listener hears of it, pauses included (measured on Pride and Prejudice's chapters 2
 * and 3, test/in-process/real-engines.alone.test.ts): faster than its setting says.
 */
const HEARD_WPM = 186;
const wordsPerMinute = () => HEARD_WPM;

const ESPEAK_CLI = fileURLToPath(sourceFile('./espeak-cli', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

/** How long an idle espeak-ng child is kept for the next chapter. */
const IDLE_MS = 60_000;

/** A running espeak-cli child and the reader of its answers. */
interface EspeakChild {
  child: ChildProcess;
  frames: FrameReader;
  idleTimer?: NodeJS.Timeout;
}

function spawnEspeak(): EspeakChild {
  // Own process group, like ffmpeg's: signals for the service are the worker's to handle.
  const args = COMPILED ? [ESPEAK_CLI] : ['--import', TSX, ESPEAK_CLI];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  belowNormal(child.pid);
  return { child, frames: new FrameReader(child) };
}

/** An idle child must not keep a process alive that has nothing else to do. */
function setRef(c: EspeakChild, ref: boolean): void {
  for (const handle of [c.child, c.child.stdin, c.child.stdout, c.child.stderr])
    (handle as { ref?(): void; unref?(): void } | null)?.[ref ? 'ref' : 'unref']?.();
}

/**
 * espeak-ng compiled to WASM (npm `espeak-ng`): works with nothing installed.
 * Each chapter's session runs in a child process (synthesis never blocks the
 * worker's event loop). Starting one — Node, then compiling the WASM module —
 * costs about 0.6 s of CPU, so a finished session's child waits, idle, for the
 * next chapter (`keepWarm`); a session closed mid-request (a cancel) kills it.
 */
export function createWasmEspeakEngine(opts: { keepWarm?: boolean } = {}): TtsEngine {
  const keepWarm = opts.keepWarm ?? true;
  const idle: EspeakChild[] = [];
  const park = (c: EspeakChild) => {
    if (!keepWarm || c.frames.dead() || idle.length >= os.availableParallelism()) {
      c.child.kill();
      return;
    }
    setRef(c, false);
    c.idleTimer = setTimeout(() => {
      idle.splice(idle.indexOf(c), 1);
      c.child.kill();
    }, IDLE_MS);
    c.idleTimer.unref();
    idle.push(c);
  };
  const take = (): EspeakChild => {
    const c = idle.pop();
    if (!c) return spawnEspeak();
    clearTimeout(c.idleTimer);
    setRef(c, true);
    return c;
  };
  return {
    name: 'espeak-ng (wasm)',
    // Each request starts a WASM instance (~130 ms here, against ~14 ms a sentence spoken):
    // requests are packed, and timings tell apart what each one holds.
    voices: ESPEAK_VOICES,
    defaultVoice: 'en',
    wordsPerMinute,
    open({ voice, speed }) {
      const c = take();
      const wpm = Math.round(ESPEAK_WPM * speed);
      let pending = 0;
      let closed = false;
      return {
        async synthesize(text) {
          pending += 1;
          try {
            c.child.stdin?.write(`${JSON.stringify({ text, voice, wpm })}\n`);
            return parseWav(await c.frames.next());
          } finally {
            pending -= 1;
          }
        },
        close: () => {
          if (closed) return;
          closed = true;
          // A request still running would answer the next chapter's first one.
          if (pending > 0) c.child.kill();
          else park(c);
        },
      };
    },
  };
}

/**
 * The system's espeak-ng binary, when installed (faster to start than the WASM build).
 * A local binary that fails or speaks garbage will do so again: that is permanent, not an
 * outage to wait out, so the chapter fails at once with the binary's own message.
 */
export function createSystemEspeakEngine(binary: string): TtsEngine {
  return {
    name: 'espeak-ng (system)',
    voices: ESPEAK_VOICES,
    defaultVoice: 'en',
    wordsPerMinute,
    open: ({ voice, speed }) => ({
      synthesize: async (text) => {
        const args = ['-v', voice, '-s', String(Math.round(ESPEAK_WPM * speed)), '--stdout'];
        try {
          return parseWav(await runProgram(binary, args, text, process.env));
        } catch (err) {
          throw new PermanentTtsError(`espeak-ng (${binary}): ${(err as Error).message}`);
        }
      },
      close: () => {},
    }),
  };
}

/**
 * espeak-ng, the default: the system binary when installed, else its WASM build (npm's
 * `espeak-ng`). Its voices are its languages; one chapter per core, as it uses the CPU.
 */
export const espeakEngine = defineEngine({
  variables: [],
  settings: (r) => commonSettings(r, { maxChars: DEFAULT_MAX_CHARS }),
  create(settings) {
    const system = findOnPath('espeak-ng');
    const engine = system ? createSystemEspeakEngine(system) : createWasmEspeakEngine();
    return withLimits(engine, settings);
  },
});

/** Reads the espeak-cli framing: a 4-byte length, then that many bytes (0 = failure). */
class FrameReader {
  // Chunks are kept as they come and joined once a frame is whole: a segment's audio
  // arrives in hundreds of 64 KB chunks, and re-joining on each would copy it hundreds of times.
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting: { resolve(b: Buffer): void; reject(e: Error): void } | undefined;
  private stderr = '';
  private exited: Error | undefined;

  constructor(child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.size += chunk.length;
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

  /** The child has exited: it answers no more requests. */
  dead(): boolean {
    return this.exited !== undefined;
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
    if (!this.waiting || this.size < 4) return;
    if ((this.chunks[0] as Buffer).length < 4) this.chunks = [Buffer.concat(this.chunks)];
    const len = (this.chunks[0] as Buffer).readUInt32LE(0);
    if (this.size < 4 + len) return;
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const frame = all.subarray(4, 4 + len);
    const rest = all.subarray(4 + len);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    const { resolve, reject } = this.waiting;
    this.waiting = undefined;
    if (len === 0) reject(new Error(this.lastError()));
    else resolve(frame);
  }
}
