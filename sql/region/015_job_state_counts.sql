-- Jobs by state for /metrics without counting the jobs table, which holds every job of the retention period.
--
-- The states a job passes through (created, scheduled, processing) are few at any moment: they are counted
-- from the partial index jobs_live, which holds only them. The final states (completed, failed, canceled)
-- are where the table's rows accumulate: their counts are kept in job_final_totals, moved there from
-- job_final_deltas, which the triggers below append to. Appending never waits for another transaction (a
-- counter row updated by every finishing job would order all of the region's job ends, and purges that
-- decrement several counters could deadlock each other); the deltas are folded into the totals by the
-- gateway's tick (DB_RGN_JOB_COUNTS_FOLD), so the table of deltas stays short, and a reader adds both.
-- A job is counted in a final state while it is in that state and not purged (its row kept as a tombstone),
-- as the count over the table did.

CREATE INDEX jobs_live ON jobs (status) WHERE status IN ('created', 'scheduled', 'processing') AND purged_at IS NULL;

CREATE TABLE job_final_totals (
    status text PRIMARY KEY CHECK (status IN ('completed', 'failed', 'canceled')),
    n      bigint NOT NULL
);

CREATE TABLE job_final_deltas (
    status text NOT NULL CHECK (status IN ('completed', 'failed', 'canceled')),
    n      integer NOT NULL
);

-- The final state a row counts in, or NULL.
CREATE FUNCTION job_final_state(status text, purged_at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN purged_at IS NULL AND status IN ('completed', 'failed', 'canceled') THEN status END
$$;

CREATE FUNCTION job_final_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was text := CASE WHEN TG_OP <> 'INSERT' THEN job_final_state(OLD.status, OLD.purged_at) END;
    now_in text := CASE WHEN TG_OP <> 'DELETE' THEN job_final_state(NEW.status, NEW.purged_at) END;
BEGIN
    IF was IS NOT DISTINCT FROM now_in THEN
        RETURN NULL;
    END IF;
    IF was IS NOT NULL THEN
        INSERT INTO job_final_deltas (status, n) VALUES (was, -1);
    END IF;
    IF now_in IS NOT NULL THEN
        INSERT INTO job_final_deltas (status, n) VALUES (now_in, 1);
    END IF;
    RETURN NULL;
END
$$;

-- Row triggers only where the counted state can change: a page stored (the job's progress) fires none.
CREATE TRIGGER jobs_final_count_insert AFTER INSERT ON jobs FOR EACH ROW
    WHEN (job_final_state(NEW.status, NEW.purged_at) IS NOT NULL)
    EXECUTE FUNCTION job_final_count();
CREATE TRIGGER jobs_final_count_update AFTER UPDATE OF status, purged_at ON jobs FOR EACH ROW
    WHEN (job_final_state(OLD.status, OLD.purged_at) IS DISTINCT FROM job_final_state(NEW.status, NEW.purged_at))
    EXECUTE FUNCTION job_final_count();
CREATE TRIGGER jobs_final_count_delete AFTER DELETE ON jobs FOR EACH ROW
    WHEN (job_final_state(OLD.status, OLD.purged_at) IS NOT NULL)
    EXECUTE FUNCTION job_final_count();

-- A TRUNCATE fires no row trigger: the counts start afresh with the table.
CREATE FUNCTION job_final_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_final_deltas;
    UPDATE job_final_totals SET n = 0;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_final_count_truncate AFTER TRUNCATE ON jobs FOR EACH STATEMENT
    EXECUTE FUNCTION job_final_reset();

-- The jobs already there, counted once. CREATE TRIGGER has locked the table against writes until this
-- migration commits, so no job ends between the triggers and this count.
INSERT INTO job_final_totals (status, n)
SELECT s, (SELECT count(*) FROM jobs WHERE job_final_state(status, purged_at) = s)
FROM unnest(ARRAY['completed', 'failed', 'canceled']) AS s;
