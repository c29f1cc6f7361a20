ALTER TABLE "chapters" ADD COLUMN "cues" jsonb;--> statement-breakpoint
ALTER TABLE "chapters" ADD COLUMN "span_sec" real;--> statement-breakpoint
ALTER TABLE "chapters" ADD COLUMN "lead_sec" real;