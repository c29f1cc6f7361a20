import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Principal } from '../access/principal.js';
import type { AudioFormat } from '../audio/audio-format.js';
import type { BookRow } from '../db/schema.js';
import { EpubError } from '../epub/epub-limits.js';
import { assertLooksLikeEpub } from '../epub/epub-sniff.js';
import {
  InvalidInputError,
  MismatchError,
  TooLargeError,
  UnavailableError,
  UnsupportedFileError,
} from '../errors.js';
import type { BookJobs } from '../jobs/book-jobs.js';
import { objectKeys } from '../storage/object-keys.js';
import type { Storage } from '../storage/storage.js';
import { withTempDir } from '../temp-dir.js';
import { stripUnspeakable } from '../text/clean-text.js';
import { type Lexicon, parseLexicon } from '../text/lexicon.js';
import type { Voice } from '../tts/tts-engine.js';
import { assertOffered } from '../tts/voices.js';
import type { DeliveryTarget } from './book-delivery.js';
import type { BookQueries } from './book-queries.js';
import { PRIORITY_RANGE } from './chapter-schedule.js';
import { readUploadFields } from './upload-form.js';

/** One entry of an upload's form: the EPUB file, or a field. */
export type FormEntry =
  | {
      type: 'file';
      field: string;
      fileName: string | null;
      stream: Readable;
      /** True when the stream was cut at the size limit. */
      truncated(): boolean;
    }
  | { type: 'field'; field: string; value: string };

/** What an upload may choose; checked against what the speech engine offers. */
export interface Choices {
  voice: string | null;
  /** Reads the text inside quotation marks (text/dialogue.ts); null: `voice` reads it all. */
  dialogueVoice: string | null;
  speed: number;
  format: AudioFormat;
  /** 1 (soonest) to 10; owners' own from 5 (the default) on, admins' any (chapter-schedule.ts). */
  priority: number;
  /** Only what differs from the defaults (epub-parser.ts ReadOptions). */
  readOptions: { altText?: true; keepBoilerplate?: true };
  /** The upload's own pronunciation lexicon (text/lexicon.ts). */
  lexicon: Lexicon;
  /** False: stop at REVIEW once parsed (books/book-review.ts). */
  autostart: boolean;
  /** `abs`: pushed to Audiobookshelf once READY (books/book-delivery.ts). */
  deliverTo: DeliveryTarget | null;
  /** Longer than this many hours: also delivered in parts (workers/audiobook-join.ts). */
  splitHours: number | null;
}

export function parseChoices(
  fields: Map<string, string>,
  voices: Voice[],
  admin: boolean,
  targets: DeliveryTarget[] = [],
): Choices {
  const form = readUploadFields(fields);
  const voice = form.string('voice') ?? null;
  if (voice) assertOffered(voices, voice);
  const dialogueVoice = form.string('dialogueVoice') ?? null;
  if (dialogueVoice) assertOffered(voices, dialogueVoice);
  // Owners may only defer their own books; sooner than the default is for admins.
  const priority = form.number('priority', {
    minimum: admin ? PRIORITY_RANGE.min : PRIORITY_RANGE.ownersMin,
    why: admin ? '' : ' (lower numbers, sooner than others, are for admins)',
  }) as number;
  const deliverTo = form.choice<DeliveryTarget>('deliver') ?? null;
  if (deliverTo && !targets.includes(deliverTo))
    throw new InvalidInputError(
      'deliver=abs needs an Audiobookshelf: set ABS_URL or ABS_LIBRARY_DIR',
    );
  const altText = form.flag('altText');
  const keepBoilerplate = form.choice('boilerplate') === 'keep';
  return {
    voice,
    dialogueVoice,
    speed: form.number('speed') as number,
    format: form.choice<AudioFormat>('format') as AudioFormat,
    priority,
    // Only what differs from the defaults (epub-parser.ts ReadOptions).
    readOptions: {
      ...(altText ? { altText: true as const } : {}),
      ...(keepBoilerplate ? { keepBoilerplate: true as const } : {}),
    },
    lexicon: parseLexicon(fields.get('lexicon') ?? ''),
    autostart: form.flag('autostart'),
    deliverTo,
    splitHours: form.number('splitHours') ?? null,
  };
}

export interface UploadDeps {
  books: Pick<BookQueries, 'findByIdempotencyKey' | 'insertBook' | 'fail' | 'ownerLexicon'>;
  storage: Pick<Storage, 'putFile' | 'deletePrefix'>;
  jobs: Pick<BookJobs, 'submit'>;
  /** What the engines offer now (a voice may be installed while the service runs). */
  voices: () => Voice[];
  maxUploadBytes: number;
  deliveryTargets?: DeliveryTarget[];
}

export const tooLarge = (maxUploadBytes: number) =>
  new TooLargeError(`the file is larger than the ${maxUploadBytes / 1048576} MB limit`);

/**
 * Takes uploads: spools the file to disk (never to memory), checks it is an
 * EPUB, stores it and starts its flow. Form fields may come before or after
 * the file. The same Idempotency-Key from the same owner answers with the same
 * book and starts no second flow, even when both uploads arrive at once.
 */
export function createBookUploads(deps: UploadDeps) {
  const { books, storage, jobs } = deps;

  async function upload(
    principal: Principal,
    entries: AsyncIterable<FormEntry>,
    idempotencyKey?: string,
  ): Promise<{ book: BookRow; replayed: boolean }> {
    return withTempDir(async (dir) => {
      const file = path.join(dir, 'upload.epub');
      const { fields, fileName } = await spool(entries, file);
      const choices = parseChoices(fields, deps.voices(), principal.admin, deps.deliveryTargets);
      // Only an upload under an Idempotency-Key is compared with another (it costs a read of the file).
      const uploadFingerprint = idempotencyKey ? await fingerprint(file, choices) : null;
      if (idempotencyKey) {
        const earlier = await books.findByIdempotencyKey(principal.owner, idempotencyKey);
        if (earlier) return replay(earlier, uploadFingerprint as string);
      }
      const { size } = await fs.stat(file);
      await assertLooksLikeEpub(file, size).catch((err: Error) => {
        throw err instanceof EpubError ? new UnsupportedFileError(err.message) : err;
      });
      const id = randomUUID();
      await storage.putFile(objectKeys.source(id), file);
      // The owner's lexicon as it is now, then the upload's own entries over it.
      const lexicon = { ...(await books.ownerLexicon(principal.owner)), ...choices.lexicon };
      const book = await books.insertBook({
        id,
        owner: principal.owner,
        idempotencyKey,
        uploadFingerprint,
        fileName,
        sizeBytes: size,
        sourceKey: objectKeys.source(id),
        ...choices,
        lexicon,
      });
      if (!book) return raceLost(principal, id, idempotencyKey ?? '', uploadFingerprint ?? '');
      await submit(id);
      return { book, replayed: false };
    }, 'bookflow-upload-');
  }

  /** Writes the `file` entry to `file` and collects the form fields. */
  async function spool(entries: AsyncIterable<FormEntry>, file: string) {
    const fields = new Map<string, string>();
    let fileName: string | null | undefined;
    for await (const entry of entries) {
      if (entry.type === 'field') {
        fields.set(entry.field, entry.value);
        continue;
      }
      if (entry.field !== 'file' || fileName !== undefined) {
        entry.stream.resume(); // drain what we will not store
        continue;
      }
      fileName = entry.fileName && (stripUnspeakable(entry.fileName).slice(0, 255) || null);
      await pipeline(entry.stream, createWriteStream(file));
      if (entry.truncated()) throw tooLarge(deps.maxUploadBytes);
    }
    if (fileName === undefined)
      throw new InvalidInputError('send the EPUB as a multipart form field named "file"');
    return { fields, fileName };
  }

  /** A concurrent upload with the same key won the insert: answer with its book. */
  async function raceLost(principal: Principal, id: string, key: string, print: string) {
    await storage.deletePrefix(objectKeys.bookPrefix(id));
    const winner = await books.findByIdempotencyKey(principal.owner, key);
    if (!winner) throw new Error('an idempotent upload lost its race to a missing book');
    return replay(winner, print);
  }

  /** The same key again: the same book, if it is the same upload (file and choices). */
  function replay(earlier: BookRow, print: string) {
    if (earlier.uploadFingerprint && earlier.uploadFingerprint !== print) {
      throw new MismatchError(
        'this Idempotency-Key was used for a different upload (another file or other choices); use a new key for a new book',
      );
    }
    return { book: earlier, replayed: true };
  }

  /** Never leaves a book UPLOADED with no flow behind it. */
  async function submit(id: string) {
    try {
      await jobs.submit(id);
    } catch (err) {
      await books.fail(
        id,
        `The book could not be queued (${(err as Error).message}); upload it again`,
      );
      throw new UnavailableError('the queue backend is unavailable; try again shortly');
    }
  }

  return { upload, tooLarge: () => tooLarge(deps.maxUploadBytes) };
}

/** What makes two uploads the same one: the file's bytes and the choices made with it. */
async function fingerprint(file: string, choices: Choices): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const { voice, speed, format, priority, readOptions, lexicon, autostart, deliverTo, splitHours } =
    choices;
  const { dialogueVoice } = choices;
  // Defaults are left out, so fingerprints stored before these choices existed still match.
  const extra = [
    ...(priority === PRIORITY_RANGE.default ? [] : [priority]),
    ...(Object.keys(readOptions).length > 0 ? [readOptions] : []),
    ...(Object.keys(lexicon).length > 0 ? [lexicon] : []),
    ...(autostart ? [] : ['review']),
    ...(deliverTo ? [`deliver:${deliverTo}`] : []),
    ...(splitHours ? [`split:${splitHours}`] : []),
    ...(dialogueVoice ? [`dialogue:${dialogueVoice}`] : []),
  ];
  hash.update(JSON.stringify([voice, speed, format, ...extra]));
  return hash.digest('hex');
}
