CREATE TABLE "book_status_counts" (
	"status" text NOT NULL,
	"shard" smallint NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "book_status_counts_status_shard_pk" PRIMARY KEY("status","shard")
);
