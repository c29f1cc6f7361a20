ALTER TABLE "books" ADD COLUMN "priority" smallint DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE "chapters" ADD COLUMN "queue_priority" integer;--> statement-breakpoint
CREATE INDEX "books_owner_in_progress_idx" ON "books" USING btree ("owner") WHERE status in ('PARSING', 'GENERATING', 'MERGING');--> statement-breakpoint
CREATE INDEX "chapters_pending_priority_idx" ON "chapters" USING btree ("queue_priority") WHERE status = 'PENDING';