ALTER TABLE "books" ADD COLUMN "owner" text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE "books" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
CREATE INDEX "books_owner_created_at_idx" ON "books" USING btree ("owner","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE UNIQUE INDEX "books_owner_idempotency_key_idx" ON "books" USING btree ("owner","idempotency_key");--> statement-breakpoint
CREATE INDEX "books_in_progress_idx" ON "books" USING btree ("updated_at") WHERE status in ('UPLOADED', 'PARSING', 'GENERATING', 'MERGING');