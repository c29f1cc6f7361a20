ALTER TABLE "books" ADD COLUMN "split_hours" real;--> statement-breakpoint
ALTER TABLE "books" ADD COLUMN "part_count" integer;