ALTER TABLE "books" ADD COLUMN "voice" text;--> statement-breakpoint
ALTER TABLE "books" ADD COLUMN "speed" real DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "books" ADD COLUMN "format" text DEFAULT 'm4b' NOT NULL;