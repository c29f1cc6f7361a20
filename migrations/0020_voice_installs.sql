CREATE TABLE "voice_installs" (
	"voice_id" text PRIMARY KEY NOT NULL,
	"state" text DEFAULT 'PENDING' NOT NULL,
	"done_bytes" bigint DEFAULT 0 NOT NULL,
	"total_bytes" bigint DEFAULT 0 NOT NULL,
	"files" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- A voice install's change, announced to the API processes (their admins' event streams).
CREATE FUNCTION "voice_install_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('voice_installs', NEW.voice_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "voice_installs_event" AFTER INSERT OR UPDATE ON "voice_installs" FOR EACH ROW EXECUTE FUNCTION "voice_install_event"();
