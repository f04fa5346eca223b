-- A request the quota refused used to leave its Idempotency-Key behind, pointing to a job that was never
-- created, and that key then blocked every retry for 24 hours. Drop such keys, and make a key without its job
-- impossible from now on (a deleted job takes its keys with it).
DELETE FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = k.job_id);
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_job_id_fkey
    FOREIGN KEY (job_id) REFERENCES jobs (job_id) ON DELETE CASCADE;
