CREATE TABLE "book_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"book_id" text NOT NULL,
	"owner" text NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "book_events" ADD CONSTRAINT "book_events_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "book_events_created_at_idx" ON "book_events" USING btree ("created_at");--> statement-breakpoint
-- What watchers see of a book: written here, in the writer's transaction, whoever the writer is
-- (API, any worker, the reconciler), and announced on the channel `book_events` at commit.
CREATE FUNCTION "book_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.status, NEW.error, NEW.chapter_count, NEW.title, NEW.author, NEW.duration_sec)
      IS NOT DISTINCT FROM (OLD.status, OLD.error, OLD.chapter_count, OLD.title, OLD.author, OLD.duration_sec) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "book_events" ("book_id", "owner", "kind", "data") VALUES (NEW.id, NEW.owner, 'book',
    jsonb_build_object('status', NEW.status, 'error', NEW.error, 'title', NEW.title,
      'author', NEW.author, 'chapterCount', NEW.chapter_count, 'durationSec', NEW.duration_sec));
  PERFORM pg_notify('book_events', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A chapter's change: its book's progress is counted by the reader when it delivers the event
-- (a count here could not see chapters finishing in other transactions at the same moment).
CREATE FUNCTION "chapter_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  book_owner text;
BEGIN
  IF (NEW.status, NEW.attempts, NEW.error, NEW.duration_sec)
      IS NOT DISTINCT FROM (OLD.status, OLD.attempts, OLD.error, OLD.duration_sec) THEN
    RETURN NULL;
  END IF;
  SELECT "owner" INTO book_owner FROM "books" WHERE "id" = NEW.book_id;
  INSERT INTO "book_events" ("book_id", "owner", "kind", "data") VALUES (NEW.book_id, book_owner, 'chapter',
    jsonb_build_object('n', NEW.n, 'title', NEW.title, 'status', NEW.status, 'attempts', NEW.attempts,
      'error', NEW.error, 'durationSec', NEW.duration_sec));
  PERFORM pg_notify('book_events', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "books_event" AFTER INSERT OR UPDATE ON "books" FOR EACH ROW EXECUTE FUNCTION "book_event"();
--> statement-breakpoint
CREATE TRIGGER "chapters_event" AFTER UPDATE ON "chapters" FOR EACH ROW EXECUTE FUNCTION "chapter_event"();
