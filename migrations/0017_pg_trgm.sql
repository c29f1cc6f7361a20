-- Trigram matching, so the catalogue's title search (ILIKE '%words%') has an index to use:
-- it ships with PostgreSQL (contrib) and with the embedded PostgreSQL alike.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
