-- Catalog replica in a region cluster: the tables of the primary's publication ocrgate_catalog, filled by
-- logical replication (sequences are not replicated; every catalog key is a name or a UUID made on the
-- primary). The columns and primary keys must match the primary's (sql/catalog); the checks are kept so that
-- a row the primary would refuse cannot appear here by a mistaken manual write. No foreign keys: tables are
-- first copied in parallel and the apply worker does not fire them anyway.
CREATE TABLE tiers (
    name               text PRIMARY KEY,
    hourly_quota       integer NOT NULL,
    max_file_bytes     bigint  NOT NULL,
    max_pages          integer NOT NULL,
    max_pixels         bigint  NOT NULL,
    max_retention_days integer NOT NULL,
    page_timeout_ms    integer NOT NULL,
    max_attempts       integer NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE licenses (
    license_id     uuid PRIMARY KEY,
    name           text NOT NULL,
    region         text NOT NULL,
    tier           text NOT NULL,
    status         text NOT NULL,
    expires_at     timestamptz,
    admin_key_hash bytea NOT NULL CHECK (length(admin_key_hash) = 32),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE apps (
    app_id     uuid PRIMARY KEY,
    license_id uuid NOT NULL,
    name       text NOT NULL,
    enabled    boolean NOT NULL,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX apps_license ON apps (license_id);

-- Announces every applied change on the channel the gateways listen to, with the primary's payload
-- ("<table>:<key>"). The apply worker runs with session_replication_role = replica, so the triggers are
-- ENABLE ALWAYS: an ordinary trigger would never fire for replicated rows.
CREATE FUNCTION catalog_replicated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
    PERFORM pg_notify('ocrgate_catalog', TG_TABLE_NAME || ':' ||
                      CASE TG_TABLE_NAME WHEN 'tiers' THEN row_data->>'name'
                                         WHEN 'licenses' THEN row_data->>'license_id'
                                         ELSE row_data->>'app_id' END);
    RETURN NULL;
END $$;

CREATE TRIGGER tiers_replicated AFTER INSERT OR UPDATE OR DELETE ON tiers
    FOR EACH ROW EXECUTE FUNCTION catalog_replicated();
CREATE TRIGGER licenses_replicated AFTER INSERT OR UPDATE OR DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION catalog_replicated();
CREATE TRIGGER apps_replicated AFTER INSERT OR UPDATE OR DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION catalog_replicated();
ALTER TABLE tiers ENABLE ALWAYS TRIGGER tiers_replicated;
ALTER TABLE licenses ENABLE ALWAYS TRIGGER licenses_replicated;
ALTER TABLE apps ENABLE ALWAYS TRIGGER apps_replicated;

-- A TRUNCATE on the primary is replicated too (it fires no row trigger): tell the gateways to start afresh.
CREATE FUNCTION catalog_replicated_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocrgate_catalog', 'tiers:*');
    RETURN NULL;
END $$;
CREATE TRIGGER tiers_replicated_truncate AFTER TRUNCATE ON tiers
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_replicated_truncate();
CREATE TRIGGER licenses_replicated_truncate AFTER TRUNCATE ON licenses
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_replicated_truncate();
CREATE TRIGGER apps_replicated_truncate AFTER TRUNCATE ON apps
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_replicated_truncate();
ALTER TABLE tiers ENABLE ALWAYS TRIGGER tiers_replicated_truncate;
ALTER TABLE licenses ENABLE ALWAYS TRIGGER licenses_replicated_truncate;
ALTER TABLE apps ENABLE ALWAYS TRIGGER apps_replicated_truncate;

-- Creates the subscription, or points an existing one at a new primary address, so that re-running
-- `ocrgate migrate` is safe. The slot (same name) is created on the primary beforehand by the migrate
-- command: CREATE SUBSCRIPTION may only make it itself outside a transaction block, which a function is not.
-- The connection string is quoted by format(%L); it is never pasted into SQL text by the caller.
CREATE FUNCTION catalog_subscribe(sub text, conninfo text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF sub !~ '^[a-z0-9_]{1,63}$' THEN
        RAISE EXCEPTION 'bad subscription name %', sub;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_subscription WHERE subname = sub) THEN
        IF (SELECT subconninfo FROM pg_subscription WHERE subname = sub) IS DISTINCT FROM conninfo THEN
            EXECUTE format('ALTER SUBSCRIPTION %I CONNECTION %L', sub, conninfo);
            RETURN 'updated';
        END IF;
        RETURN 'present';
    END IF;
    EXECUTE format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION ocrgate_catalog'
                   ' WITH (create_slot = false, slot_name = %L)', sub, conninfo, sub);
    RETURN 'created';
END $$;
