DROP INDEX "books_created_at_idx";--> statement-breakpoint
DROP INDEX "books_owner_created_at_idx";--> statement-breakpoint
CREATE INDEX "books_title_trgm_idx" ON "books" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "books_created_at_idx" ON "books" USING btree ("created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "books_owner_created_at_idx" ON "books" USING btree ("owner","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);