-- Catalog: tiers, licenses, apps and the audit log. Every change of a tier, license or app is audited and
-- announced on channel 'ocrgate_catalog' so that gateway caches drop the entry at once.

CREATE TABLE tiers (
    name               text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    hourly_quota       integer NOT NULL CHECK (hourly_quota >= 0),
    max_file_bytes     bigint  NOT NULL DEFAULT 52428800 CHECK (max_file_bytes > 0),
    max_pages          integer NOT NULL DEFAULT 500 CHECK (max_pages > 0),
    max_pixels         bigint  NOT NULL DEFAULT 100000000 CHECK (max_pixels > 0),
    max_retention_days integer NOT NULL DEFAULT 30 CHECK (max_retention_days BETWEEN 1 AND 3650),
    page_timeout_ms    integer NOT NULL DEFAULT 60000 CHECK (page_timeout_ms > 0),
    max_attempts       integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE licenses (
    license_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    region         text NOT NULL CHECK (region ~ '^[A-Z]{2,8}$'),
    tier           text NOT NULL REFERENCES tiers (name),
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'overdue', 'expired', 'suspended')),
    expires_at     timestamptz,
    admin_key_hash bytea NOT NULL CHECK (length(admin_key_hash) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE apps (
    app_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    license_id uuid NOT NULL REFERENCES licenses (license_id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled    boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX apps_license ON apps (license_id);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL,
    details     jsonb NOT NULL
);

-- The audit log is append-only.
CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();

-- Audits a change (never the admin key hash) and notifies gateway caches. The actor comes from the
-- session setting ocrgate.actor, which the CLI and the gateway set per transaction.
CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb;
    obj_id   text;
BEGIN
    row_data := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) - 'admin_key_hash';
    obj_id := CASE TG_TABLE_NAME WHEN 'tiers' THEN row_data->>'name'
                                 WHEN 'licenses' THEN row_data->>'license_id'
                                 ELSE row_data->>'app_id' END;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'licenses' THEN
        IF OLD.admin_key_hash <> NEW.admin_key_hash THEN
            row_data := row_data || '{"adminKeyRotated": true}';
        END IF;
    END IF;
    INSERT INTO audit_log (actor, action, object_type, object_id, details)
    VALUES (coalesce(nullif(current_setting('ocrgate.actor', true), ''), session_user),
            lower(TG_OP), TG_TABLE_NAME, obj_id, row_data);
    PERFORM pg_notify('ocrgate_catalog', TG_TABLE_NAME || ':' || obj_id);
    RETURN NULL;
END $$;

CREATE TRIGGER tiers_changed AFTER INSERT OR UPDATE OR DELETE ON tiers
    FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER licenses_changed AFTER INSERT OR UPDATE OR DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER apps_changed AFTER INSERT OR UPDATE OR DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION catalog_changed();
