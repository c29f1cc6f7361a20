ALTER TABLE "chapters" ADD COLUMN "text_start" integer;--> statement-breakpoint
ALTER TABLE "chapters" ADD COLUMN "text_end" integer;