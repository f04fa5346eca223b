-- Gateway threads lease blocks of a window (never more than the limit in total); last_grant reports how many
-- units the statement that last changed the row granted, so the lease statement can return it.
ALTER TABLE quota_windows ADD COLUMN last_grant integer NOT NULL DEFAULT 0;
