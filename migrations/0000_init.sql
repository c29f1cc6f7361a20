CREATE TABLE "books" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'UPLOADED' NOT NULL,
	"file_name" text,
	"size_bytes" integer NOT NULL,
	"title" text,
	"author" text,
	"language" text,
	"error" text,
	"source_key" text NOT NULL,
	"audio_key" text,
	"duration_sec" real,
	"chapter_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "chapters" (
	"book_id" text NOT NULL,
	"n" integer NOT NULL,
	"title" text NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"char_count" integer DEFAULT 0 NOT NULL,
	"audio_key" text,
	"duration_sec" real,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chapters_book_id_n_pk" PRIMARY KEY("book_id","n")
);
--> statement-breakpoint
ALTER TABLE "chapters" ADD CONSTRAINT "chapters_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "books_created_at_idx" ON "books" USING btree ("created_at" DESC NULLS LAST,"id");