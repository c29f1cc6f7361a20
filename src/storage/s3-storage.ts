import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { withTempDir } from '../temp-dir.js';
import type { ByteRange, Storage } from './storage.js';

/** S3 or any S3-compatible server (MinIO and friends want S3_FORCE_PATH_STYLE=true). */
/** Where the objects live: a bucket on AWS S3 or on any S3-compatible server. */
export interface S3StorageOptions {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** MinIO-like servers want `host/bucket/key`, not `bucket.host/key`. */
  forcePathStyle: boolean;
}

export function createS3Storage(cfg: S3StorageOptions): Storage {
  const client = new S3Client({
    region: cfg.region,
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    // Checksums only where S3 requires them: many S3-compatible servers reject the newer defaults.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials:
      cfg.accessKeyId && cfg.secretAccessKey
        ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey }
        : undefined,
  });
  const Bucket = cfg.bucket;

  async function putFile(key: string, filePath: string) {
    const { size } = await fs.stat(filePath);
    await client.send(
      new PutObjectCommand({
        Bucket,
        Key: key,
        Body: createReadStream(filePath),
        ContentLength: size,
      }),
    );
  }

  async function put(key: string, body: Buffer | Readable) {
    if (Buffer.isBuffer(body)) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body }));
      return;
    }
    // A plain PUT needs the length up front; spool unknown-length streams to disk first.
    await withTempDir(async (dir) => {
      await pipeline(body, createWriteStream(path.join(dir, 'body')));
      await putFile(key, path.join(dir, 'body'));
    });
  }

  async function get(key: string, range?: ByteRange) {
    const out = await client.send(
      new GetObjectCommand({
        Bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return out.Body as Readable;
  }

  async function getToFile(key: string, filePath: string) {
    const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
    await pipeline(out.Body as Readable, createWriteStream(filePath));
  }

  async function size(key: string) {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
      return head.ContentLength;
    } catch (err) {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound')
        return undefined;
      throw err;
    }
  }

  async function deletePrefix(prefix: string) {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) {
        await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys } }));
      }
      token = page.NextContinuationToken;
    } while (token);
  }

  async function ping() {
    await client.send(new HeadBucketCommand({ Bucket }));
  }

  return { put, putFile, get, getToFile, size, deletePrefix, ping };
}
