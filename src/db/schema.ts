import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { JobNode } from '../../flows/index.js';
import type { AudioFormat } from '../audio/audio-format.js';

export const BOOK_STATUSES = [
  'UPLOADED',
  'PARSING',
  'REVIEW',
  'GENERATING',
  'MERGING',
  'READY',
  'FAILED',
  'CANCELLED',
] as const;
/** REVIEW: parsed, waiting for its uploader to pick chapters and start it (`autostart=false`). */
export type BookStatus = (typeof BOOK_STATUSES)[number];

/** CANCELLED: its book was cancelled before it was done (final, like the book's). */
export const CHAPTER_STATUSES = [
  'PENDING',
  'RUNNING',
  'DONE',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
] as const;
export type ChapterStatus = (typeof CHAPTER_STATUSES)[number];

export const books = pgTable(
  'books',
  {
    id: text('id').primaryKey(),
    /** The API token's owner that uploaded it; `local` when the API runs without tokens. */
    owner: text('owner').notNull().default('local'),
    /** The uploader's Idempotency-Key: the same key from the same owner is the same book. */
    idempotencyKey: text('idempotency_key'),
    /** What the upload under that key was (file and choices), so a reuse for another is told. */
    uploadFingerprint: text('upload_fingerprint'),
    status: text('status').$type<BookStatus>().notNull().default('UPLOADED'),
    fileName: text('file_name'),
    sizeBytes: integer('size_bytes').notNull(),
    title: text('title'),
    author: text('author'),
    language: text('language'),
    error: text('error'),
    sourceKey: text('source_key').notNull(),
    audioKey: text('audio_key'),
    durationSec: real('duration_sec'),
    chapterCount: integer('chapter_count'),
    /** What of the book is not used, and why (a cover that cannot be read, spine entries ignored…). */
    leftOut: jsonb('left_out').$type<string[]>().notNull().default([]),
    /** Listener's choices, fixed at upload; an unset voice follows the book's language (set by parse). */
    voice: text('voice'),
    /** Who says what is inside quotation marks; null: the book's voice reads it all. */
    dialogueVoice: text('dialogue_voice'),
    speed: real('speed').notNull().default(1),
    format: text('format').$type<AudioFormat>().notNull().default('m4b'),
    /** How the upload asked the book to be read (epub-parser.ts ReadOptions); {} for the defaults. */
    readOptions: jsonb('read_options')
      .$type<{ altText?: boolean; keepBoilerplate?: boolean }>()
      .notNull()
      .default({}),
    /** Word → what is said instead: the owner's lexicon as it was at upload, then the upload's. */
    lexicon: jsonb('lexicon').$type<Record<string, string>>().notNull().default({}),
    /** False: the parse stops at REVIEW until POST /books/:id/start (books/book-review.ts). */
    autostart: boolean('autostart').notNull().default(true),
    /** Longer than this many hours: also delivered in parts at chapter boundaries; null: whole only. */
    splitHours: real('split_hours'),
    /** How many parts it was delivered in (once READY); null: one file only. */
    partCount: integer('part_count'),
    /** Where the book goes once READY (`abs`: Audiobookshelf), as the upload asked; null: nowhere. */
    deliverTo: text('deliver_to'),
    /** 1 (soonest) to 10; 5 unless the upload asked (see books/chapter-schedule.ts). */
    priority: smallint('priority').notNull().default(5),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    readyAt: timestamp('ready_at', { withTimezone: true }),
  },
  (t) => [
    // The catalogue's order (newest first, then id, both descending), so a page is read off
    // the index in order and stops after it, however many books there are.
    // (PostgreSQL's DESC puts nulls first, and an index serves an order only if they agree.)
    index('books_created_at_idx').on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('books_owner_created_at_idx').on(
      t.owner,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    uniqueIndex('books_owner_idempotency_key_idx').on(t.owner, t.idempotencyKey),
    // The title search (`q=`: ILIKE '%words%'), served by trigrams (migration 0017: pg_trgm).
    index('books_title_trgm_idx').using('gin', t.title.op('gin_trgm_ops')),
    // The scheduler's look at an owner's books under way.
    index('books_owner_in_progress_idx')
      .on(t.owner)
      .where(sql`status in ('PARSING', 'GENERATING', 'MERGING')`),
    // The reconciler's sweep: books still in progress.
    index('books_in_progress_idx')
      .on(t.updatedAt)
      .where(sql`status in ('UPLOADED', 'PARSING', 'GENERATING', 'MERGING')`),
  ],
);

export const chapters = pgTable(
  'chapters',
  {
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    n: integer('n').notNull(),
    title: text('title').notNull(),
    status: text('status').$type<ChapterStatus>().notNull().default('PENDING'),
    /** Synthesis attempts ever started for this chapter (never reset, so re-work is visible). */
    attempts: integer('attempts').notNull().default(0),
    /**
     * The chapter job's run that started it last (a hash of its lock token): only that run may
     * finish it, so a run whose lock lapsed never writes over another's (generate-audio).
     */
    run: text('run'),
    error: text('error'),
    charCount: integer('char_count').notNull().default(0),
    wordCount: integer('word_count').notNull().default(0),
    /** The chapter's first words, so a reviewer can tell what it is. */
    excerpt: text('excerpt').notNull().default(''),
    /** Byte range [start, end) of the chapter's text in the book's chapters.txt; null if skipped. */
    textStart: integer('text_start'),
    textEnd: integer('text_end'),
    audioKey: text('audio_key'),
    durationSec: real('duration_sec'),
    /**
     * Where each text starts in the chapter's audio, measured as it was made (text/chapter-text.ts
     * cuesOf): each runs to the next, the last to the chapter's end. Null before it is DONE.
     */
    cues: jsonb('cues').$type<{ start: number; text: string }[]>(),
    /** What its audio adds to the joined audiobook, and where its sound begins in that (audio/ffmpeg.ts). */
    spanSec: real('span_sec'),
    leadSec: real('lead_sec'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
    /** Its job's BullMQ priority, set when the job is added (books/chapter-schedule.ts). */
    queuePriority: integer('queue_priority'),
  },
  (t) => [
    primaryKey({ columns: [t.bookId, t.n] }),
    // The head of the speech queue as the scheduler sees it: the lowest priority still waiting.
    index('chapters_pending_priority_idx').on(t.queuePriority).where(sql`status = 'PENDING'`),
    // Each book's last turn still to come, read one entry a book as an owner's next is numbered.
    index('chapters_book_turn_idx')
      .on(t.bookId, t.queuePriority)
      .where(sql`status in ('PENDING', 'RUNNING')`),
  ],
);

/**
 * Books by status, kept by a trigger on `books` (migration 0023), so /metrics reads a few
 * rows however large the catalogue grows (counting the table took 75 ms at a million books).
 * Each status is spread over 16 shards by book id: concurrent writers rarely wait on one row.
 */
export const bookStatusCounts = pgTable(
  'book_status_counts',
  {
    status: text('status').$type<BookStatus>().notNull(),
    shard: smallint('shard').notNull(),
    n: bigint('n', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.shard] })],
);

export type BookRow = typeof books.$inferSelect;
export type ChapterRow = typeof chapters.$inferSelect;

/**
 * Every change of a book or chapter a person would watch, written by triggers (migration 0006)
 * in the writer's own transaction, so no writer can forget one. `id` orders the streams and is
 * the SSE event id a client resumes from (see events/event-hub.ts). Pruned after a day.
 */
export const bookEvents = pgTable(
  'book_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    owner: text('owner').notNull(),
    /** `book`: its status, error or counts; `chapter`: one chapter's status or attempts. */
    kind: text('kind').$type<'book' | 'chapter'>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('book_events_created_at_idx').on(t.createdAt)],
);

export type BookEventRow = typeof bookEvents.$inferSelect;

/**
 * Times the speech engine was down for everyone, as the workers' breaker saw them
 * (workers/engine-breaker.ts): at most one open row (`ended_at` null) per engine, which
 * any worker process may open and any may close. /ready reports the open one.
 */
export const engineOutages = pgTable(
  'engine_outages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    engine: text('engine').notNull(),
    reason: text('reason').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('engine_outages_open_idx').on(t.engine).where(sql`ended_at is null`)],
);

export type EngineOutageRow = typeof engineOutages.$inferSelect;

/**
 * A READY book's job tree as it stood when the book finished (attempts, timestamps and
 * durations of every job), kept after its jobs are trimmed from the queue backend.
 */
export const jobHistory = pgTable('job_history', {
  bookId: text('book_id')
    .primaryKey()
    .references(() => books.id, { onDelete: 'cascade' }),
  tree: jsonb('tree').$type<JobNode>().notNull(),
  recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Each owner's pronunciation lexicon (PUT /lexicon), applied to every book they upload later. */
export const ownerLexicons = pgTable('owner_lexicons', {
  owner: text('owner').primaryKey(),
  entries: jsonb('entries').$type<Record<string, string>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const DELIVERY_STATES = ['PENDING', 'RUNNING', 'DONE', 'FAILED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * A READY book's pushes to where people listen (workers/deliver-book-processor.ts): one row
 * per book and target, its state as the last try left it. A failed push never fails the book.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    bookId: text('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    target: text('target').notNull(),
    state: text('state').$type<DeliveryState>().notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    /** Where it went, once DONE. */
    location: text('location'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.bookId, t.target] })],
);

export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * Voices installed for the whole fleet (`POST /voices/:id/install`, workers/voice-install-
 * processor.ts): their files are kept in storage under `voices/`, and each process copies them
 * into its DATA_DIR/voices when it first needs them (voices/voice-sync.ts). A change is
 * announced on the channel `voice_installs` (migration 0020), which admins' event streams relay.
 */
export const voiceInstalls = pgTable('voice_installs', {
  voiceId: text('voice_id').primaryKey(),
  state: text('state').$type<DeliveryState>().notNull().default('PENDING'),
  doneBytes: bigint('done_bytes', { mode: 'number' }).notNull().default(0),
  totalBytes: bigint('total_bytes', { mode: 'number' }).notNull().default(0),
  /** Each file, as its path under the voices folder (and under `voices/` in storage) and size. */
  files: jsonb('files').$type<{ dest: string; size: number }[]>().notNull().default([]),
  error: text('error'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export type VoiceInstallRow = typeof voiceInstalls.$inferSelect;
