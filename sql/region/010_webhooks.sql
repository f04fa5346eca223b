-- Webhooks (Standard Webhooks): an app's endpoints, the outbox of messages to deliver to them and the log of
-- delivery attempts. All in the region database, next to the jobs whose ends they announce.

CREATE TABLE webhook_endpoints (
    endpoint_id      uuid PRIMARY KEY,
    license_id       uuid NOT NULL,
    app_id           uuid NOT NULL,
    url              text NOT NULL,
    events           text[] NOT NULL,
    enabled          boolean NOT NULL DEFAULT true,
    -- why the gateway turned it off: 'gone' (the receiver answered 410) or 'failing' (nothing delivered for 3
    -- days); NULL while enabled or when the admin disabled it
    disabled_reason  text CHECK (disabled_reason IN ('gone', 'failing')),
    -- signing secrets ('whsec_' + base64): the only copy, since signing needs the key itself (see README)
    secret           text NOT NULL,
    old_secret       text,
    old_secret_until timestamptz,
    failing_since    timestamptz,  -- first failed attempt since the last delivered one
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_app ON webhook_endpoints (app_id);

-- The outbox: one row per message and endpoint. message_id is the webhook-id header (the same on every
-- attempt, so receivers can dedupe). A delivery thread claims a due row by moving next_attempt_at past its
-- lease and naming itself in locked_by; the result is written fenced on (locked_by, attempts).
CREATE TABLE webhook_messages (
    message_id      text PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints ON DELETE CASCADE,
    license_id      uuid NOT NULL,
    app_id          uuid NOT NULL,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_by       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id) WHERE status = 'pending';
CREATE INDEX webhook_messages_finished ON webhook_messages (finished_at) WHERE status <> 'pending';

CREATE TABLE webhook_attempts (
    message_id  text NOT NULL REFERENCES webhook_messages ON DELETE CASCADE,
    attempt     integer NOT NULL,
    endpoint_id uuid NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    status_code integer,           -- NULL when no HTTP answer came (refused target, connection, timeout)
    latency_ms  integer NOT NULL,
    error       text,              -- NULL when delivered
    PRIMARY KEY (message_id, attempt)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, at DESC);

ALTER TABLE app_usage_hourly ADD COLUMN webhooks_ok bigint NOT NULL DEFAULT 0,
                             ADD COLUMN webhooks_failed bigint NOT NULL DEFAULT 0;

-- The endpoint object of the API (never a secret).
CREATE FUNCTION webhook_json(e webhook_endpoints) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'webhookId', e.endpoint_id, 'appId', e.app_id, 'url', e.url, 'events', to_jsonb(e.events),
        'enabled', e.enabled, 'disabledReason', e.disabled_reason, 'failingSince', iso_utc(e.failing_since),
        'previousSecretExpiresAt', CASE WHEN e.old_secret_until > now() THEN iso_utc(e.old_secret_until) END,
        'createdAt', iso_utc(e.created_at), 'updatedAt', iso_utc(e.updated_at))
$$;

-- The message envelope of the spec: {"type", "timestamp", "data"}.
CREATE FUNCTION webhook_enqueue(e webhook_endpoints, ev text, data jsonb) RETURNS text LANGUAGE sql AS $$
    INSERT INTO webhook_messages (message_id, endpoint_id, license_id, app_id, event_type, payload)
    VALUES ('msg_' || replace(gen_random_uuid()::text, '-', ''), e.endpoint_id, e.license_id, e.app_id, ev,
            jsonb_build_object('type', ev, 'timestamp', iso_utc(now()), 'data', data))
    RETURNING message_id
$$;

-- The outbox row is written by the statement that moves the job to its final state, in its transaction,
-- whichever code path does it (worker, cancel, sweep): a crash can delay a webhook but never lose it.
CREATE FUNCTION webhook_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ev text := 'job.' || NEW.status;
    n  integer;
BEGIN
    SELECT count(webhook_enqueue(e, ev, job_json(NEW))) INTO n FROM webhook_endpoints e
     WHERE e.app_id = NEW.app_id AND e.enabled AND ev = ANY (e.events);
    IF n > 0 THEN
        PERFORM pg_notify('ocrgate_webhooks', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_webhook_event AFTER UPDATE OF status ON jobs FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('completed', 'failed', 'canceled'))
    EXECUTE FUNCTION webhook_job_event();
