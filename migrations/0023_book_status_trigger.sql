-- Books by status, counted as they change (schema.ts bookStatusCounts), so /metrics never
-- counts the whole catalogue. Statement-level triggers: a bulk insert or purge is one upsert
-- per status and shard, not one per book. Rows are touched in (status, shard) order, so two
-- writers take their locks in the same order.
CREATE FUNCTION "book_status_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "book_status_counts" ("status", "shard", "n")
      SELECT "status", hashtext("id") & 15, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT ("status", "shard") DO UPDATE SET "n" = "book_status_counts"."n" + excluded."n";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "book_status_counts" ("status", "shard", "n")
      SELECT "status", hashtext("id") & 15, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT ("status", "shard") DO UPDATE SET "n" = "book_status_counts"."n" + excluded."n";
  ELSE
    INSERT INTO "book_status_counts" ("status", "shard", "n")
      SELECT "status", "shard", sum("d") FROM (
        SELECT n."status", hashtext(n."id") & 15 AS "shard", 1 AS "d"
          FROM new_rows n JOIN old_rows o ON o."id" = n."id" WHERE o."status" <> n."status"
        UNION ALL
        SELECT o."status", hashtext(o."id") & 15, -1
          FROM new_rows n JOIN old_rows o ON o."id" = n."id" WHERE o."status" <> n."status"
      ) AS changed GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT ("status", "shard") DO UPDATE SET "n" = "book_status_counts"."n" + excluded."n";
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- No book is written while the triggers are made and the counts taken.
LOCK TABLE "books" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TRIGGER "books_status_count_insert" AFTER INSERT ON "books" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "book_status_count"();
--> statement-breakpoint
CREATE TRIGGER "books_status_count_update" AFTER UPDATE ON "books"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "book_status_count"();
--> statement-breakpoint
CREATE TRIGGER "books_status_count_delete" AFTER DELETE ON "books" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "book_status_count"();
--> statement-breakpoint
INSERT INTO "book_status_counts" ("status", "shard", "n")
  SELECT "status", hashtext("id") & 15, count(*) FROM "books" GROUP BY 1, 2;
