-- The page as processed (after clean-up), PNG, for page images and thumbnails; and pages dropped as blank.
ALTER TABLE job_pages ADD COLUMN image bytea;
ALTER TABLE job_pages DROP CONSTRAINT job_pages_status_check;
ALTER TABLE job_pages ADD CONSTRAINT job_pages_status_check CHECK (status IN ('completed', 'failed', 'blank'));
