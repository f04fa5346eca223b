-- Page-parallel runs (docs/ARCHITECTURE.md, jobs/): a job's pages are tasks that any worker of the region
-- claims, each under a lease of its own; page 0 is the assembling of the whole-document outputs, made by the
-- worker that stored the last page. The claim is round-robin across licenses and, within a license, across
-- apps (turn: the sequence value of their last claim; a new license or app gets 0, the oldest turn).
ALTER TABLE jobs ADD COLUMN pages_left integer;      -- page tasks not stored yet (NULL: not seeded)
ALTER TABLE jobs ADD COLUMN pages_selected integer;  -- pages of the `pages` selection in the document
ALTER TABLE jobs ADD COLUMN max_concurrent_pages integer NOT NULL DEFAULT 0;  -- the tier's, at creation
-- Which worker stored a page, and when (what an operator asks when a page went wrong, and how the spread of
-- a job over the region's workers shows).
ALTER TABLE job_pages ADD COLUMN worker text;
ALTER TABLE job_pages ADD COLUMN stored_at timestamptz NOT NULL DEFAULT now();

CREATE SEQUENCE job_turn;

CREATE TABLE job_tasks (
    job_id       uuid NOT NULL REFERENCES jobs ON DELETE CASCADE,
    page         integer NOT NULL CHECK (page >= 0),
    license_id   uuid NOT NULL,
    app_id       uuid NOT NULL,
    seq          bigint NOT NULL,          -- order within an app: jobs first come first served, pages in order
    dpi          integer NOT NULL DEFAULT 0, -- the resolution a PDF page is rendered at (0: the job's own)
    job_cap      integer NOT NULL DEFAULT 0, -- maxParallelPages (0: no cap)
    locked_by    text,
    locked_until timestamptz,
    attempt      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, page)
);
CREATE INDEX job_tasks_queue ON job_tasks (app_id, seq, page) WHERE locked_by IS NULL;
CREATE INDEX job_tasks_running ON job_tasks (license_id, job_id) WHERE locked_by IS NOT NULL;
CREATE INDEX job_tasks_leases ON job_tasks (locked_until) WHERE locked_by IS NOT NULL;

CREATE TABLE license_turns (
    license_id uuid PRIMARY KEY,
    turn       bigint NOT NULL DEFAULT 0,
    cap        integer NOT NULL DEFAULT 0  -- the tier's max_concurrent_pages (0: no cap)
);
CREATE INDEX license_turns_turn ON license_turns (turn, license_id);

CREATE TABLE app_turns (
    app_id     uuid PRIMARY KEY,
    license_id uuid NOT NULL,
    turn       bigint NOT NULL DEFAULT 0
);
CREATE INDEX app_turns_license ON app_turns (license_id, turn, app_id);

-- One fair claim: the license with the oldest turn that has a queued task it may run (under its cap), its app
-- with the oldest turn that has one, that app's first queued task of a job still running (under the job's
-- cap). The walk takes one license row at a time (keyset on its turn), locking it and skipping rows another
-- claimer holds, so concurrent claimers spread over licenses instead of queueing on one.
CREATE FUNCTION task_claim(worker text, lease_s integer)
RETURNS TABLE (job_id uuid, page integer, attempt integer, dpi integer) LANGUAGE plpgsql AS $$
DECLARE
    l record;
    a record;
    t record;
    last_turn bigint := -1;
    last_license uuid := '00000000-0000-0000-0000-000000000000';
BEGIN
    LOOP
        SELECT lt.license_id, lt.cap, lt.turn INTO l FROM license_turns lt
         WHERE (lt.turn, lt.license_id) > (last_turn, last_license)
         ORDER BY lt.turn, lt.license_id LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN;
        END IF;
        last_turn := l.turn;
        last_license := l.license_id;
        CONTINUE WHEN l.cap > 0 AND (SELECT count(*) FROM job_tasks r
                                     WHERE r.license_id = l.license_id AND r.locked_by IS NOT NULL) >= l.cap;
        FOR a IN SELECT at.app_id FROM app_turns at WHERE at.license_id = l.license_id
                 ORDER BY at.turn, at.app_id LOOP
            SELECT x.job_id, x.page INTO t FROM job_tasks x JOIN jobs j ON j.job_id = x.job_id
             WHERE x.app_id = a.app_id AND x.locked_by IS NULL
               AND j.status = 'processing' AND NOT j.cancel_requested
               AND (x.job_cap = 0 OR (SELECT count(*) FROM job_tasks r
                                      WHERE r.license_id = l.license_id AND r.job_id = x.job_id
                                        AND r.locked_by IS NOT NULL) < x.job_cap)
             ORDER BY x.seq, x.page LIMIT 1 FOR UPDATE OF x SKIP LOCKED;
            IF FOUND THEN
                UPDATE license_turns SET turn = nextval('job_turn') WHERE license_id = l.license_id;
                UPDATE app_turns SET turn = nextval('job_turn') WHERE app_id = a.app_id;
                RETURN QUERY UPDATE job_tasks x SET locked_by = worker, attempt = x.attempt + 1,
                                    locked_until = now() + make_interval(secs => lease_s)
                              WHERE x.job_id = t.job_id AND x.page = t.page
                              RETURNING x.job_id, x.page, x.attempt, x.dpi;
                RETURN;
            END IF;
        END LOOP;
    END LOOP;
END
$$;
