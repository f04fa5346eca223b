-- Claims (docs/ARCHITECTURE.md, jobs/): the preparing step of a job is claimed in the same fair order as its
-- pages; a claim that had to skip a turn another claimer held says so instead of "nothing queued"; and work
-- becoming claimable is announced on the channel ocrgate_work, so that every node's idle workers look at once
-- rather than at their next poll.

-- A scheduled job gives its license and app a turn (as a seed does), so that task_claim walks to it. The
-- upsert locks an existing turn row until the scheduling commits (the sweep skips locked turns: a job never
-- loses its turn to it) but writes nothing when the cap is unchanged.
CREATE FUNCTION job_scheduled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO license_turns (license_id, cap) VALUES (NEW.license_id, NEW.max_concurrent_pages)
        ON CONFLICT (license_id) DO UPDATE SET cap = EXCLUDED.cap
        WHERE license_turns.cap IS DISTINCT FROM EXCLUDED.cap;
    INSERT INTO app_turns (app_id, license_id) VALUES (NEW.app_id, NEW.license_id)
        ON CONFLICT (app_id) DO UPDATE SET license_id = EXCLUDED.license_id
        WHERE app_turns.license_id IS DISTINCT FROM EXCLUDED.license_id;
    -- Notifications with the same payload in one transaction are delivered once.
    PERFORM pg_notify('ocrgate_work', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_scheduled_insert AFTER INSERT ON jobs FOR EACH ROW
    WHEN (NEW.status = 'scheduled') EXECUTE FUNCTION job_scheduled();
CREATE TRIGGER jobs_scheduled_update AFTER UPDATE OF status ON jobs FOR EACH ROW
    WHEN (NEW.status = 'scheduled' AND OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION job_scheduled();

-- Page tasks inserted unclaimed (a seed: one statement, one notification however many pages); the assembling
-- task is inserted already claimed and announces nothing.
CREATE FUNCTION tasks_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queued WHERE locked_by IS NULL) THEN
        PERFORM pg_notify('ocrgate_work', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER job_tasks_queued AFTER INSERT ON job_tasks REFERENCING NEW TABLE AS queued
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_queued();

-- A task given back (lease expired, a node taking back its own at start-up). A row trigger filtered by its WHEN
-- (evaluated without calling anything), so that the claims and renewals, the frequent updates of job_tasks,
-- cost nothing; several in one statement are delivered as one notification.
CREATE FUNCTION task_requeued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocrgate_work', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER job_tasks_requeued AFTER UPDATE OF locked_by ON job_tasks FOR EACH ROW
    WHEN (OLD.locked_by IS NOT NULL AND NEW.locked_by IS NULL) EXECUTE FUNCTION task_requeued();

-- The scheduled jobs of an app, oldest first (the claim's look-up within an app).
CREATE INDEX jobs_app_queue ON jobs (app_id, scheduled_at, job_id) WHERE status = 'scheduled';

-- Jobs scheduled before this migration get their turns.
INSERT INTO license_turns (license_id, cap)
    SELECT DISTINCT ON (license_id) license_id, max_concurrent_pages FROM jobs WHERE status = 'scheduled'
    ON CONFLICT (license_id) DO NOTHING;
INSERT INTO app_turns (app_id, license_id)
    SELECT DISTINCT ON (app_id) app_id, license_id FROM jobs WHERE status = 'scheduled'
    ON CONFLICT (app_id) DO NOTHING;

-- One fair claim of the next step of any job: the license with the oldest turn that has something it may run,
-- its app with the oldest turn that has something, and in that app its oldest scheduled job (page -1:
-- preparing it, or a whole-job run; preparing is short and feeds the page queue), else its first queued page
-- task of a running job (under the license's and the job's caps; a license at its cap still gets its jobs
-- prepared). The walk takes one license turn at a time (keyset on the turn), locking it and skipping turns
-- other claimers hold, so concurrent claimers spread over licenses instead of queueing on one; the same
-- statement looks, without locking, which turn comes first (when it is not the locked one, one was skipped). A
-- walk that found nothing after skipping a turn returns one row of NULLs: "busy, claim again" (the other
-- claimer may leave work behind it), never "nothing queued". more: the claimed app has more queued behind
-- this claim (the claimer wakes an idle worker of its node for it). The result gains that column, hence a new
-- function rather than a replacement; ROWS 1 lets the caller's join with jobs use its key.
DROP FUNCTION task_claim(text, integer);
CREATE FUNCTION task_claim(worker text, lease_s integer)
RETURNS TABLE (job_id uuid, page integer, attempt integer, dpi integer, more boolean) LANGUAGE plpgsql
ROWS 1 AS $$
DECLARE
    l record;
    a record;
    t record;
    skipped boolean := false;
    capped boolean;
    last_turn bigint := -1;
    last_license uuid := '00000000-0000-0000-0000-000000000000';
BEGIN
    LOOP
        SELECT lt.license_id, lt.turn, lt.cap,
               lt.license_id IS DISTINCT FROM
                   (SELECT p.license_id FROM license_turns p WHERE (p.turn, p.license_id) > (last_turn, last_license)
                     ORDER BY p.turn, p.license_id LIMIT 1) AS skipped
          INTO l FROM license_turns lt
         WHERE (lt.turn, lt.license_id) > (last_turn, last_license)
         ORDER BY lt.turn, lt.license_id LIMIT 1 FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            IF skipped OR EXISTS (SELECT 1 FROM license_turns p
                                   WHERE (p.turn, p.license_id) > (last_turn, last_license)) THEN
                RETURN NEXT;
            END IF;
            RETURN;
        END IF;
        skipped := skipped OR l.skipped;
        last_turn := l.turn;
        last_license := l.license_id;
        -- Counted in a statement of its own, in a snapshot taken once the turn is locked: the locking
        -- statement's snapshot predates its lock, and would miss a claim of this license that another claimer
        -- committed in between (two pages of a license capped at one in recognition).
        capped := l.cap > 0 AND (SELECT count(*) FROM job_tasks r WHERE r.license_id = l.license_id
                                   AND r.locked_by IS NOT NULL) >= l.cap;
        FOR a IN SELECT at.app_id FROM app_turns at WHERE at.license_id = l.license_id
                 ORDER BY at.turn, at.app_id LOOP
            SELECT j.job_id INTO t FROM jobs j
             WHERE j.app_id = a.app_id AND j.status = 'scheduled' AND j.purged_at IS NULL
             ORDER BY j.scheduled_at, j.job_id LIMIT 1 FOR UPDATE SKIP LOCKED;
            IF FOUND THEN
                RETURN QUERY
                    WITH lu AS (UPDATE license_turns SET turn = nextval('job_turn')
                                 WHERE license_id = l.license_id),
                         au AS (UPDATE app_turns SET turn = nextval('job_turn') WHERE app_id = a.app_id)
                    UPDATE jobs x SET status = 'processing', locked_by = worker, attempt = x.attempt + 1,
                                      locked_until = now() + make_interval(secs => lease_s),
                                      started_at = coalesce(x.started_at, now()), progress_message = 'starting'
                     WHERE x.job_id = t.job_id
                     RETURNING x.job_id, -1, x.attempt, 0,
                               EXISTS (SELECT 1 FROM jobs y WHERE y.app_id = a.app_id
                                          AND y.status = 'scheduled' AND y.job_id <> t.job_id);
                RETURN;
            END IF;
            CONTINUE WHEN capped;
            SELECT x.job_id, x.page INTO t FROM job_tasks x JOIN jobs j ON j.job_id = x.job_id
             WHERE x.app_id = a.app_id AND x.locked_by IS NULL
               AND j.status = 'processing' AND NOT j.cancel_requested
               AND (x.job_cap = 0 OR (SELECT count(*) FROM job_tasks r
                                      WHERE r.license_id = l.license_id AND r.job_id = x.job_id
                                        AND r.locked_by IS NOT NULL) < x.job_cap)
             ORDER BY x.seq, x.page LIMIT 1 FOR UPDATE OF x SKIP LOCKED;
            IF FOUND THEN
                RETURN QUERY
                    WITH lu AS (UPDATE license_turns SET turn = nextval('job_turn')
                                 WHERE license_id = l.license_id),
                         au AS (UPDATE app_turns SET turn = nextval('job_turn') WHERE app_id = a.app_id)
                    UPDATE job_tasks x SET locked_by = worker, attempt = x.attempt + 1,
                                           locked_until = now() + make_interval(secs => lease_s)
                     WHERE x.job_id = t.job_id AND x.page = t.page
                     RETURNING x.job_id, x.page, x.attempt, x.dpi,
                               EXISTS (SELECT 1 FROM job_tasks y WHERE y.app_id = a.app_id
                                          AND y.locked_by IS NULL AND (y.job_id, y.page) <> (t.job_id, t.page));
                RETURN;
            END IF;
        END LOOP;
    END LOOP;
END
$$;

-- The claimed job's row, read in a snapshot of its own. The claim's caller joins it to task_claim's row; a join
-- with the table itself would read it in the snapshot of the caller's statement, taken before task_claim ran,
-- so a job scheduled (or a seed committed) in between would be claimed by the function and missing, or old
-- (no page count yet), in the join. A VOLATILE function's query takes a new snapshot, after the claim's.
CREATE FUNCTION claimed_job(id uuid) RETURNS SETOF jobs LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
BEGIN
    RETURN QUERY SELECT * FROM jobs WHERE job_id = id;
END
$$;
