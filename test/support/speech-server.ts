import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /** Decides each request's fate; the default answers every request with audio. */
  behave: (req: SpeechRequest, seen: number) => Behaviour;
  close(): Promise<void>;
}

const RATE = 24000;

/**
 * A small OpenAI-compatible speech server (`POST /v1/audio/speech`) for tests:
 * real HTTP, and real audio made by ffmpeg — a tone as long as the input would
 * take to read (0.05 s per word) — in the WAV format the service asks for.
 */
export async function startSpeechServer(): Promise<SpeechServer> {
  const stalled: http.ServerResponse[] = [];
  const server: SpeechServer = {
    url: '',
    requests: [],
    behave: () => 'audio',
    close: async () => {
      for (const res of stalled) res.destroy();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
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
    const seconds = Math.max(0.5, request.body.input.split(/\s+/).length * 0.05);
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
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(stdout);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return server;
}
