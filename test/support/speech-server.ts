import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ffmpegBinaries } from '../../src/audio/ffmpeg.js';

export interface SpeechRequest {
  at: number;
  auth: string | undefined;
  body: { model?: string; input: string; voice?: string; response_format?: string; speed?: number };
}

/** What the server does with one request: answer with audio, answer with an error, or never answer. */
export type Behaviour =
  | 'audio'
  | 'stall'
  | { status: number; body: unknown; headers?: Record<string, string> };

export interface SpeechServer {
  url: string;
  requests: SpeechRequest[];
  /** When each request held a slot, [start, end] in ms since the epoch (see `slots`). */
  served: [number, number][];
  /** Decides each request's fate; the default answers every request with audio. */
  behave: (req: SpeechRequest, seen: number) => Behaviour;
  /** Stops listening and drops every connection: callers get ECONNREFUSED, as from a dead server. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface SpeechServerOptions {
  /** Requests served at once, like a GPU server's batch or a paid API's concurrency; the rest queue. */
  slots?: number;
  /** Each request holds its slot at least this long. */
  latencyMs?: number;
}

const RATE = 24000;

/**
 * A small OpenAI-compatible speech server (`POST /v1/audio/speech`) for tests:
 * real HTTP, and real audio made by ffmpeg — a tone as long as the input would
 * take to read (0.05 s per word) — in the WAV format the service asks for.
 */
export async function startSpeechServer(opts: SpeechServerOptions = {}): Promise<SpeechServer> {
  const stalled: http.ServerResponse[] = [];
  const slots = createSlots(opts.slots ?? Number.POSITIVE_INFINITY);
  let port = 0;
  const stop = async () => {
    for (const res of stalled) res.destroy();
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  const server: SpeechServer = {
    url: '',
    requests: [],
    served: [],
    behave: () => 'audio',
    down: stop,
    up: () => new Promise<void>((resolve) => httpServer.listen(port, '127.0.0.1', resolve)),
    close: async () => {
      if (httpServer.listening) await stop();
    },
  };
  const httpServer = http.createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request: SpeechRequest = {
      at: Date.now(),
      auth: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString()) as SpeechRequest['body'],
    };
    const seen = server.requests.filter((r) => r.body.input === request.body.input).length;
    server.requests.push(request);
    const behaviour = server.behave(request, seen);
    if (behaviour === 'stall') {
      stalled.push(res);
      return;
    }
    if (behaviour !== 'audio') {
      res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
      res.end(JSON.stringify(behaviour.body));
      return;
    }
    await slots.take();
    const start = Date.now();
    const [audio] = await Promise.all([toneFor(request.body.input), sleep(opts.latencyMs ?? 0)]);
    server.served.push([start, Date.now()]);
    slots.give();
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(audio);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  port = (httpServer.address() as AddressInfo).port;
  server.url = `http://127.0.0.1:${port}`;
  return server;
}

/** K slots; a request waits for a free one in arrival order. */
function createSlots(k: number) {
  let free = k;
  const waiting: (() => void)[] = [];
  return {
    take: () => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** Tones made so far, by length: benchmarks send thousands of requests of a few lengths. */
const tones = new Map<number, Promise<Buffer>>();

/** A tone as long as `input` would take to read (0.05 s per word), as WAV. */
function toneFor(input: string): Promise<Buffer> {
  const seconds = Math.max(0.5, input.split(/\s+/).length * 0.05);
  let tone = tones.get(seconds);
  if (!tone) {
    tone = makeTone(seconds);
    tones.set(seconds, tone);
  }
  return tone;
}

async function makeTone(seconds: number): Promise<Buffer> {
  const { stdout } = await promisify(execFile)(
    ffmpegBinaries().ffmpeg,
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=220:duration=${seconds}`,
      '-ar',
      String(RATE),
      '-ac',
      '1',
      '-f',
      'wav',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout;
}
