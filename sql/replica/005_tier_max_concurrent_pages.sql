-- The catalog's tiers.max_concurrent_pages (catalog migration 005), on the replica.
ALTER TABLE tiers ADD COLUMN IF NOT EXISTS max_concurrent_pages integer NOT NULL DEFAULT 0;
