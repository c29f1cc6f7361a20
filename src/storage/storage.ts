import type { Readable } from 'node:stream';

/** A byte range, inclusive, as HTTP Range requests express it. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Object storage, as small as the service needs it. Keys come from object-keys.ts only. */
export interface Storage {
  /** Stores a stream or buffer under `key`, replacing what was there. */
  put(key: string, body: Readable | Buffer): Promise<void>;
  /** Copies a local file into storage (multipart upload on S3). */
  putFile(key: string, filePath: string): Promise<void>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Downloads an object to a local file (ffmpeg wants files). */
  getToFile(key: string, filePath: string): Promise<void>;
  /** Size in bytes, or undefined when the object does not exist. */
  size(key: string): Promise<number | undefined>;
  deletePrefix(prefix: string): Promise<void>;
  /** Cheap reachability probe for /ready. */
  ping(): Promise<void>;
}
