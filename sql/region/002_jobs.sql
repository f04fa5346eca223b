-- Region database: the durable job queue and everything a job owns. Documents and results never leave it.

CREATE FUNCTION iso_utc(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

CREATE TABLE jobs (
    job_id           uuid PRIMARY KEY,
    license_id       uuid NOT NULL,
    app_id           uuid NOT NULL,
    status           text NOT NULL CHECK (status IN ('created', 'scheduled', 'processing', 'completed', 'failed', 'canceled')),
    options          jsonb NOT NULL,
    correlation_id   text,
    description      text,
    doc_name         text,
    doc_content_type text,
    doc_bytes        bigint,
    doc_pages        integer,
    doc_sha256       text,
    pages_done       integer NOT NULL DEFAULT 0,
    error_pages      integer NOT NULL DEFAULT 0,
    confidence_sum   double precision NOT NULL DEFAULT 0,
    confidence_pages integer NOT NULL DEFAULT 0,
    progress         integer NOT NULL DEFAULT 0,
    progress_message text NOT NULL DEFAULT 'waiting for a document',
    error_code       text,
    error_message    text,
    attempt          integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL,
    max_pages        integer NOT NULL,
    max_pixels       bigint NOT NULL,
    locked_by        text,
    locked_until     timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    scheduled_at     timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    expires_at       timestamptz NOT NULL,
    purged_at        timestamptz  -- retention passed: document and results deleted, row kept as a tombstone
);
CREATE INDEX jobs_queue ON jobs (scheduled_at, job_id) WHERE status = 'scheduled';
CREATE INDEX jobs_leases ON jobs (locked_until) WHERE status = 'processing';
CREATE INDEX jobs_app_created ON jobs (app_id, created_at DESC, job_id DESC);
CREATE INDEX jobs_app_correlation ON jobs (app_id, correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX jobs_expiry ON jobs (expires_at) WHERE purged_at IS NULL;

CREATE TABLE job_documents (
    job_id uuid PRIMARY KEY REFERENCES jobs ON DELETE CASCADE,
    data   bytea NOT NULL
);

CREATE TABLE job_pages (
    job_id     uuid NOT NULL REFERENCES jobs ON DELETE CASCADE,
    page       integer NOT NULL,
    status     text NOT NULL CHECK (status IN ('completed', 'failed')),
    width      integer,
    height     integer,
    dpi        integer,
    confidence double precision,
    words      integer,
    engine_ms  integer,
    error      text,
    text       text,
    json       text,
    hocr       text,
    tsv        text,
    alto       text,
    PRIMARY KEY (job_id, page)
);

CREATE TABLE job_outputs (
    job_id       uuid NOT NULL REFERENCES jobs ON DELETE CASCADE,
    format       text NOT NULL,
    content_type text NOT NULL,
    data         bytea NOT NULL,
    PRIMARY KEY (job_id, format)
);

CREATE TABLE idempotency_keys (
    app_id     uuid NOT NULL,
    key        text NOT NULL,
    job_id     uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The job object of the API, built in one place.
CREATE FUNCTION job_json(j jobs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'jobId', j.job_id, 'appId', j.app_id, 'status', j.status,
        'progress', jsonb_build_object('current', j.progress, 'message', j.progress_message),
        'document', CASE WHEN j.doc_bytes IS NULL THEN NULL ELSE jsonb_build_object(
            'name', j.doc_name, 'contentType', j.doc_content_type, 'bytes', j.doc_bytes, 'pages', j.doc_pages,
            'sha256', j.doc_sha256) END,
        'options', j.options, 'correlationId', j.correlation_id, 'description', j.description,
        'pagesDone', j.pages_done, 'errorPages', j.error_pages,
        'meanConfidence', CASE WHEN j.confidence_pages > 0
                               THEN round((j.confidence_sum / j.confidence_pages)::numeric, 1) END,
        'attempt', j.attempt,
        'createdAt', iso_utc(j.created_at), 'scheduledAt', iso_utc(j.scheduled_at),
        'startedAt', iso_utc(j.started_at), 'finishedAt', iso_utc(j.finished_at),
        'expiresAt', iso_utc(j.expires_at),
        'results', (SELECT coalesce(jsonb_object_agg(f, '/v1/jobs/' || j.job_id || '/results/' || f), '{}')
                    FROM jsonb_array_elements_text(j.options -> 'outputs') f),
        'error', CASE WHEN j.error_code IS NULL THEN NULL
                      ELSE jsonb_build_object('errorCode', j.error_code, 'message', j.error_message) END)
$$;
