CREATE TABLE "owner_lexicons" (
	"owner" text PRIMARY KEY NOT NULL,
	"entries" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "books" ADD COLUMN "lexicon" jsonb DEFAULT '{}'::jsonb NOT NULL;