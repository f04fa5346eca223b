-- A tier's cap on the pages of one license in recognition at once, region-wide (0, the default: no cap). Jobs
-- copy it when they are created; the fair claim (region migration 008) honours it. Replicated with the tier:
-- apply the replica's migration (replica/005, `ocrgate migrate --role region`) before or with this one.
ALTER TABLE tiers ADD COLUMN max_concurrent_pages integer NOT NULL DEFAULT 0 CHECK (max_concurrent_pages >= 0);
