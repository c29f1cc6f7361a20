CREATE TABLE "engine_outages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"engine" text NOT NULL,
	"reason" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "engine_outages_open_idx" ON "engine_outages" USING btree ("engine") WHERE ended_at is null;