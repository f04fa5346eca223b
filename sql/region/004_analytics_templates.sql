-- Per-app analytics, one row per app and UTC hour, added to by every gateway node (batched flushes of
-- in-memory counters) and by workers (job outcomes). latency_hist counts responses per fixed log-scale bucket
-- (bucket i holds latencies up to 100 us * 2^(i/2); the last one is unbounded).
CREATE TABLE app_usage_hourly (
    app_id            uuid        NOT NULL,
    hour              timestamptz NOT NULL,
    license_id        uuid        NOT NULL,
    requests          bigint NOT NULL DEFAULT 0,
    responses_2xx     bigint NOT NULL DEFAULT 0,
    responses_4xx     bigint NOT NULL DEFAULT 0,
    responses_5xx     bigint NOT NULL DEFAULT 0,
    quota_rejections  bigint NOT NULL DEFAULT 0,
    jobs_created      bigint NOT NULL DEFAULT 0,
    jobs_completed    bigint NOT NULL DEFAULT 0,
    jobs_failed       bigint NOT NULL DEFAULT 0,
    jobs_canceled     bigint NOT NULL DEFAULT 0,
    pages             bigint NOT NULL DEFAULT 0,
    error_pages       bigint NOT NULL DEFAULT 0,
    bytes_in          bigint NOT NULL DEFAULT 0,
    bytes_out         bigint NOT NULL DEFAULT 0,
    engine_ms         bigint NOT NULL DEFAULT 0,
    confidence_sum    double precision NOT NULL DEFAULT 0,
    confidence_pages  bigint NOT NULL DEFAULT 0,
    latency_hist      bigint[] NOT NULL DEFAULT array_fill(0::bigint, ARRAY[32]),
    PRIMARY KEY (app_id, hour)
);
CREATE INDEX app_usage_hourly_license ON app_usage_hourly (license_id, hour);

-- Elementwise sum of two histograms.
CREATE FUNCTION hist_add(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $$
    SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

CREATE TABLE templates (
    template_id uuid PRIMARY KEY,
    app_id      uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    options     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX templates_app ON templates (app_id, created_at);

CREATE FUNCTION template_json(t templates) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('templateId', t.template_id, 'name', t.name, 'options', t.options,
                              'createdAt', iso_utc(t.created_at), 'updatedAt', iso_utc(t.updated_at))
$$;
