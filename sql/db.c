#include "sql/db.h"

#include <stdio.h>
#include <string.h>

/* Column lists are part of the contract with the code that reads them by index: keep them in step. */
/* The page's row, from the page statements' parameters ($1 job, $2 worker, $4 page, $5 status, $6-$17 its
 * figures and results, $20 image (empty: the image is the document's bytes, image_is_document), $21 barcodes;
 * PDF: its one-page searchable PDF, a parameter or NULL), once the job row `j` of the same statement was
 * updated. */
#define PAGE_UPSERT(PDF)                                                                                     \
    " p AS (INSERT INTO job_pages (job_id, page, status, width, height, dpi, confidence, words,"             \
    " engine_ms, error, text, json, hocr, tsv, alto, image, barcodes, worker, pdf, image_is_document)"       \
    " SELECT $1::uuid, $4::int, $5, $6::int, $7::int, $8::int, $9::float8, $10::int, $11::int,"              \
    " $12, $13, $14, $15, $16, $17, NULLIF($20::bytea, ''::bytea), $21::jsonb, $2, " PDF "::bytea,"          \
    " coalesce(length($20::bytea) = 0, false) FROM j"                                                        \
    " ON CONFLICT (job_id, page) DO UPDATE SET status = EXCLUDED.status, text = EXCLUDED.text,"              \
    " json = EXCLUDED.json, hocr = EXCLUDED.hocr, tsv = EXCLUDED.tsv, alto = EXCLUDED.alto,"                 \
    " error = EXCLUDED.error, image = EXCLUDED.image, barcodes = EXCLUDED.barcodes,"                         \
    " worker = EXCLUDED.worker, pdf = EXCLUDED.pdf, image_is_document = EXCLUDED.image_is_document,"         \
    " stored_at = now())"

/* A page's image as readers get it: the stored one, or the document's bytes (image_is_document). */
#define PAGE_IMAGE                                                                                           \
    "CASE WHEN image_is_document THEN (SELECT data FROM job_documents d WHERE d.job_id = job_pages.job_id)"  \
    " ELSE image END"

/* A job's outcome into its app's hourly analytics: OUTCOME (SQL text: completed | failed | canceled), the job
 * row `j` from JOBS where WHERE holds, its stored pages (job $1). */
#define USAGE_OUTCOME(OUTCOME, JOBS, WHERE)                                                                  \
    "INSERT INTO app_usage_hourly AS u (app_id, hour, license_id, jobs_completed, jobs_failed,"              \
    " jobs_canceled, pages, error_pages, engine_ms, confidence_sum, confidence_pages)"                       \
    " SELECT j.app_id, date_trunc('hour', now()), j.license_id, (" OUTCOME " = 'completed')::int,"           \
    " (" OUTCOME " = 'failed')::int, (" OUTCOME " = 'canceled')::int, p.pages, p.errors, p.ms, p.conf,"      \
    " p.confn FROM " JOBS ", (SELECT count(*) FILTER (WHERE status = 'completed') AS pages,"                 \
    " count(*) FILTER (WHERE status = 'failed') AS errors, coalesce(sum(engine_ms), 0) AS ms,"               \
    " coalesce(sum(confidence) FILTER (WHERE words > 0), 0) AS conf,"                                        \
    " count(*) FILTER (WHERE words > 0) AS confn FROM job_pages WHERE job_id = $1::uuid) p"                  \
    " WHERE " WHERE " ON CONFLICT (app_id, hour) DO UPDATE SET"                                              \
    " jobs_completed = u.jobs_completed + EXCLUDED.jobs_completed,"                                          \
    " jobs_failed = u.jobs_failed + EXCLUDED.jobs_failed,"                                                   \
    " jobs_canceled = u.jobs_canceled + EXCLUDED.jobs_canceled, pages = u.pages + EXCLUDED.pages,"           \
    " error_pages = u.error_pages + EXCLUDED.error_pages, engine_ms = u.engine_ms + EXCLUDED.engine_ms,"     \
    " confidence_sum = u.confidence_sum + EXCLUDED.confidence_sum,"                                          \
    " confidence_pages = u.confidence_pages + EXCLUDED.confidence_pages"

const db_stmt_t db_stmts[DB_STMT_COUNT] = {
    [DB_PING] = {"ping", "SELECT 1", 0},

    /* 0 license_id, 1 region, 2 status, 3 expires_at epoch (or NULL), 4 tier, 5 hourly_quota, 6
     * max_file_bytes, 7 max_pages, 8 max_pixels, 9 max_retention_days, 10 page_timeout_ms, 11 max_attempts,
     * 12 enabled, 13 deleted, 14 max_concurrent_pages (the last column, as in auth_admin) */
    [DB_CAT_AUTH_PAIR] =
        {"auth_pair",
         "SELECT l.license_id, l.region, l.status, extract(epoch FROM l.expires_at)::bigint, l.tier,"
         " t.hourly_quota, t.max_file_bytes, t.max_pages, t.max_pixels, t.max_retention_days,"
         " t.page_timeout_ms, t.max_attempts, a.enabled, a.deleted_at IS NOT NULL, t.max_concurrent_pages"
         " FROM apps a JOIN licenses l ON l.license_id = a.license_id JOIN tiers t ON t.name = l.tier"
         " WHERE a.app_id = $1::uuid AND a.license_id = $2::uuid",
         2},
    /* 0 admin_key_hash (hex), 1 region, 2 status, 3 expires_at epoch, 4 tier, 5 hourly_quota, 6..11 as above,
     * 12 max_concurrent_pages (the last column) */
    [DB_CAT_AUTH_ADMIN] =
        {"auth_admin",
         "SELECT encode(l.admin_key_hash, 'hex'), l.region, l.status,"
         " extract(epoch FROM l.expires_at)::bigint, l.tier, t.hourly_quota, t.max_file_bytes,"
         " t.max_pages, t.max_pixels, t.max_retention_days, t.page_timeout_ms, t.max_attempts,"
         " t.max_concurrent_pages FROM licenses l JOIN tiers t ON t.name = l.tier WHERE l.license_id = "
         "$1::uuid",
         1},
    [DB_CAT_SET_ACTOR] = {"set_actor", "SELECT set_config('ocrgate.actor', $1, true)", 1},

    [DB_CAT_TIER_CREATE] =
        {"tier_create",
         "INSERT INTO tiers (name, hourly_quota, max_file_bytes, max_pages, max_pixels,"
         " max_retention_days, page_timeout_ms, max_attempts, max_concurrent_pages)"
         " VALUES ($1, $2, coalesce($3::bigint, 52428800), coalesce($4::int, 500),"
         " coalesce($5::bigint, 100000000), coalesce($6::int, 30), coalesce($7::int, 60000),"
         " coalesce($8::int, 3), coalesce($9::int, 0)) RETURNING name",
         9},
    [DB_CAT_TIER_SET] =
        {"tier_set",
         "UPDATE tiers SET hourly_quota = coalesce($2::int, hourly_quota),"
         " max_file_bytes = coalesce($3::bigint, max_file_bytes),"
         " max_pages = coalesce($4::int, max_pages), max_pixels = coalesce($5::bigint, max_pixels),"
         " max_retention_days = coalesce($6::int, max_retention_days),"
         " page_timeout_ms = coalesce($7::int, page_timeout_ms),"
         " max_attempts = coalesce($8::int, max_attempts),"
         " max_concurrent_pages = coalesce($9::int, max_concurrent_pages), updated_at = now()"
         " WHERE name = $1 RETURNING name",
         9},
    [DB_CAT_TIER_LIST] =
        {"tier_list",
         "SELECT name, hourly_quota, max_file_bytes, max_pages, max_pixels, max_retention_days,"
         " page_timeout_ms, max_attempts, max_concurrent_pages FROM tiers ORDER BY name",
         0},

    [DB_CAT_LICENSE_CREATE] =
        {"license_create",
         "INSERT INTO licenses (name, region, tier, expires_at, admin_key_hash)"
         " VALUES ($1, $2, $3, $4::timestamptz, decode($5, 'hex')) RETURNING license_id",
         5},
    [DB_CAT_LICENSE_SET_STATUS] = {"license_set_status",
                                   "UPDATE licenses SET status = $2, updated_at = now()"
                                   " WHERE license_id = $1::uuid RETURNING license_id",
                                   2},
    [DB_CAT_LICENSE_SET_REGION] = {"license_set_region",
                                   "UPDATE licenses SET region = $2, updated_at = now()"
                                   " WHERE license_id = $1::uuid RETURNING license_id",
                                   2},
    [DB_CAT_LICENSE_SET_TIER] = {"license_set_tier",
                                 "UPDATE licenses SET tier = $2, updated_at = now()"
                                 " WHERE license_id = $1::uuid RETURNING license_id",
                                 2},
    [DB_CAT_LICENSE_SET_EXPIRY] = {"license_set_expiry",
                                   "UPDATE licenses SET expires_at = $2::timestamptz, updated_at = now()"
                                   " WHERE license_id = $1::uuid RETURNING license_id",
                                   2},
    [DB_CAT_LICENSE_SET_KEY] = {"license_set_key",
                                "UPDATE licenses SET admin_key_hash = decode($2, 'hex'), updated_at = now()"
                                " WHERE license_id = $1::uuid RETURNING license_id",
                                2},
    /* 0 license_id, 1 name, 2 region, 3 tier, 4 status, 5 expires_at (ISO), 6 effective status, 7
     * hourly_quota, 8 created_at */
    [DB_CAT_LICENSE_SHOW] =
        {"license_show",
         "SELECT l.license_id, l.name, l.region, l.tier, l.status,"
         " to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         " CASE WHEN l.status = 'active' AND l.expires_at <= now() THEN 'expired' ELSE l.status END,"
         " t.hourly_quota,"
         " to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
         " FROM licenses l JOIN tiers t ON t.name = l.tier WHERE l.license_id = $1::uuid",
         1},
    [DB_CAT_LICENSE_LIST] =
        {"license_list",
         "SELECT l.license_id, l.name, l.region, l.tier, l.status,"
         " to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         " CASE WHEN l.status = 'active' AND l.expires_at <= now() THEN 'expired' ELSE l.status END,"
         " t.hourly_quota,"
         " to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
         " FROM licenses l JOIN tiers t ON t.name = l.tier"
         " WHERE $1::text IS NULL OR l.region = $1 ORDER BY l.created_at, l.license_id",
         1},

    [DB_CAT_APP_CREATE] = {"app_create",
                           "INSERT INTO apps (license_id, name) VALUES ($1::uuid, $2) RETURNING app_id", 2},
    [DB_CAT_APP_SET_ENABLED] = {"app_set_enabled",
                                "UPDATE apps SET enabled = $3::boolean WHERE app_id = $2::uuid"
                                " AND license_id = $1::uuid AND deleted_at IS NULL RETURNING app_id",
                                3},
    [DB_CAT_APP_RENAME] = {"app_rename",
                           "UPDATE apps SET name = $3 WHERE app_id = $2::uuid AND license_id = $1::uuid"
                           " AND deleted_at IS NULL RETURNING app_id",
                           3},
    [DB_CAT_APP_DELETE] = {"app_delete",
                           "UPDATE apps SET deleted_at = now(), enabled = false WHERE app_id = $2::uuid"
                           " AND license_id = $1::uuid AND deleted_at IS NULL RETURNING app_id",
                           2},
    /* 0 app_id, 1 name, 2 enabled, 3 created_at ISO */
    [DB_CAT_APP_LIST] =
        {"app_list",
         "SELECT app_id, name, enabled,"
         " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
         " FROM apps WHERE license_id = $1::uuid AND deleted_at IS NULL ORDER BY created_at, app_id",
         1},
    [DB_CAT_LISTEN] = {"listen", "LISTEN ocrgate_catalog", 0},

    /* App management through the API: $3 (or $5) names the actor for the audit trigger. set_config runs while
     * the statement produces its row, so the AFTER trigger sees it. 0 app id, 1 name, 2 enabled, 3 created */
    [DB_CAT_APP_CREATE_AS] = {"app_create_as",
                              "INSERT INTO apps (license_id, name) SELECT $1::uuid, $2"
                              " FROM (SELECT set_config('ocrgate.actor', $3, true)) a"
                              " RETURNING app_id, name, enabled,"
                              " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                              3, 0, 0},
    [DB_CAT_APP_UPDATE_AS] =
        {"app_update_as",
         "UPDATE apps SET name = coalesce($3, name), enabled = coalesce($4::boolean, enabled)"
         " FROM (SELECT set_config('ocrgate.actor', $5, true)) a"
         " WHERE app_id = $2::uuid AND license_id = $1::uuid AND deleted_at IS NULL"
         " RETURNING app_id, name, enabled,"
         " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
         5, 0, 0},
    [DB_CAT_APP_DELETE_AS] =
        {"app_delete_as",
         "UPDATE apps SET deleted_at = now(), enabled = false"
         " FROM (SELECT set_config('ocrgate.actor', $3, true)) a"
         " WHERE app_id = $2::uuid AND license_id = $1::uuid AND deleted_at IS NULL RETURNING app_id",
         3, 0, 0},
    [DB_CAT_APP_EXISTS] =
        {"app_exists",
         "SELECT 1 FROM apps WHERE app_id = $2::uuid AND license_id = $1::uuid AND deleted_at IS NULL", 2, 0,
         0},

    /* The admin key rotated through the API, on the primary: $1 license, $2 hash of the key the caller
     * presented, $3 the new key's hash, $4 the actor. Only while $2 is still the primary's key (a replica may
     * lag behind an earlier rotation), so the key that rotates is always the current one; no row otherwise.
     * The audit trigger records the change with adminKeyRotated and without either hash. */
    [DB_CAT_ADMIN_KEY_ROTATE_AS] =
        {"admin_key_rotate_as",
         "UPDATE licenses SET admin_key_hash = decode($3, 'hex'), updated_at = now()"
         " FROM (SELECT set_config('ocrgate.actor', $4, true)) a"
         " WHERE license_id = $1::uuid AND admin_key_hash = decode($2, 'hex') RETURNING license_id",
         4, 0, 0},
    /* On the region's replica: whether $2 is the license's admin key there yet (one row) or not (none). */
    [DB_CAT_ADMIN_KEY_CURRENT] = {"admin_key_current",
                                  "SELECT 1 FROM licenses WHERE license_id = $1::uuid"
                                  " AND admin_key_hash = decode($2, 'hex')",
                                  2, 0, 0},
    /* A pause between two looks at the replica, taken by the database so that no loop thread waits. A new
     * statement sees what was applied meanwhile, which a sleep inside the looking statement would not. */

    /* On the primary, outside any transaction: the region's slot, made once ("created" or "present"). The
     * ELSE branch is a sub-select, evaluated only when no slot has the name. */
    [DB_REPL_SLOT_CREATE] =
        {"repl_slot_create",
         "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1) THEN 'present'"
         " ELSE (SELECT 'created' FROM pg_create_logical_replication_slot($1, 'pgoutput')) END",
         1},
    /* On the primary: 0 slot name, 1 a subscriber is connected, 2 bytes of WAL it has not confirmed yet */
    [DB_REPL_SLOTS] =
        {"repl_slots",
         "SELECT slot_name, active,"
         " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint"
         " FROM pg_replication_slots WHERE slot_type = 'logical' AND database = current_database()"
         " AND slot_name LIKE 'ocrgate\\_catalog\\_%' ORDER BY slot_name",
         0},
    /* On a region's replica (sql/replica): $1 subscription (= slot) name, $2 conninfo of the primary. */
    [DB_REPL_SUBSCRIBE] = {"repl_subscribe", "SELECT catalog_subscribe($1, $2)", 2},
    /* On a region's replica: 0 the apply worker is connected to the primary, 1 seconds since it last heard
     * from the primary (a change or a keepalive). No row: this catalog is not a subscriber. */
    [DB_REPL_LAG] =
        {"repl_lag",
         "SELECT s.pid IS NOT NULL, coalesce(extract(epoch FROM now() - s.last_msg_receipt_time), 0)"
         " FROM pg_stat_subscription s WHERE s.subname = $1 AND s.relid IS NULL",
         1},

    /* $1 license, $2 window start (epoch seconds), $3 units wanted, $4 limit. Grants min(wanted, what is
     * left) in one atomic statement (exact across every node sharing the database); no row when the window is
     * full. 0 used after the grant, 1 units granted. */
    [DB_RGN_QUOTA_LEASE] =
        {"quota_lease",
         "INSERT INTO quota_windows AS q (license_id, window_start, used, last_grant)"
         " VALUES ($1::uuid, to_timestamp($2::bigint), LEAST($3::int, $4::int), LEAST($3::int, $4::int))"
         " ON CONFLICT (license_id, window_start) DO UPDATE"
         " SET used = q.used + LEAST($3::int, $4::int - q.used), last_grant = LEAST($3::int, $4::int - "
         "q.used)"
         " WHERE q.used < $4::int RETURNING used, last_grant",
         4, 0, 0},
    /* Gives back leased units a thread did not use (it went idle), so that other nodes can have them. */
    [DB_RGN_QUOTA_RETURN] = {"quota_return",
                             "UPDATE quota_windows SET used = used - $3::int WHERE license_id = $1::uuid"
                             " AND window_start = to_timestamp($2::bigint) AND used >= $3::int",
                             3, 0, 0},
    [DB_RGN_QUOTA_USED] = {"quota_used",
                           "SELECT coalesce((SELECT used FROM quota_windows WHERE license_id = $1::uuid"
                           " AND window_start = to_timestamp($2::bigint)), 0)",
                           2},
    [DB_RGN_QUOTA_SWEEP] = {"quota_sweep",
                            "DELETE FROM quota_windows WHERE window_start < to_timestamp($1::bigint)", 1},
    /* $1 job id, $2 license, $3 app, $4 quota window start (epoch), $5 quota limit, $6 idempotency key or
     * NULL, $7 options (jsonb), $8 initial status, $9 document name, $10 content type, $11 document (bytea)
     * or NULL, $12 pages, $13 max attempts, $14 max pages, $15 max pixels. One statement, so one transaction:
     * the idempotency key, the quota count, the job and its document commit together or not at all. The key
     * is written only with the count and the job, so a request the quota refuses leaves no key behind (and a
     * key always has its job: foreign key, migration 006). Row: the key was free or is now ours (false:
     * another request holds it, answer with its job), quota count (NULL when over), job object (NULL when
     * refused). */
    [DB_RGN_JOB_CREATE] =
        {"job_create",
         "WITH f AS (SELECT $6::text IS NULL OR NOT EXISTS (SELECT 1 FROM idempotency_keys"
         " WHERE app_id = $3::uuid AND key = $6 AND created_at >= now() - interval '24 hours') AS free),"
         " q AS (INSERT INTO quota_windows AS w (license_id, window_start, used)"
         " SELECT $2::uuid, to_timestamp($4::bigint), 1 WHERE (SELECT free FROM f)"
         " ON CONFLICT (license_id, window_start) DO UPDATE SET used = w.used + 1"
         " WHERE w.used < $5::int RETURNING used),"
         " k AS (INSERT INTO idempotency_keys AS i (app_id, key, job_id)"
         " SELECT $3::uuid, $6, $1::uuid FROM q WHERE $6::text IS NOT NULL"
         " ON CONFLICT (app_id, key) DO UPDATE SET job_id = EXCLUDED.job_id, created_at = now()"
         " WHERE i.created_at < now() - interval '24 hours' RETURNING 1),"
         " j AS (INSERT INTO jobs (job_id, license_id, app_id, status, options, correlation_id,"
         " description, doc_name, doc_content_type, doc_bytes, doc_pages, doc_sha256, max_attempts,"
         " max_pages, max_pixels, scheduled_at, expires_at, progress_message, max_concurrent_pages)"
         " SELECT $1::uuid, $2::uuid, $3::uuid, $8, $7::jsonb, $7::jsonb ->> 'correlationId',"
         " $7::jsonb ->> 'description', $9, $10, length($11::bytea), $12::int,"
         " encode(sha256($11::bytea), 'hex'), $13::int, $14::int, $15::bigint,"
         " CASE WHEN $8 = 'scheduled' THEN now() END,"
         " now() + make_interval(days => ($7::jsonb ->> 'retentionDays')::int),"
         " CASE WHEN $8 = 'scheduled' THEN 'queued' ELSE 'waiting for a document' END, $16::int"
         " FROM q WHERE $6::text IS NULL OR EXISTS (SELECT 1 FROM k) RETURNING *),"
         " d AS (INSERT INTO job_documents (job_id, data) SELECT job_id, $11::bytea FROM j"
         " WHERE $11::bytea IS NOT NULL)"
         " SELECT (SELECT free FROM f) AND ($6::text IS NULL OR NOT EXISTS (SELECT 1 FROM q)"
         " OR EXISTS (SELECT 1 FROM k)), (SELECT used FROM q),"
         " (SELECT job_json(j) FROM j)",
         16, 1u << 10, 0},
    /* $1 app, $2 key. 0 job object of the key, while the key is younger than 24 hours */
    [DB_RGN_IDEM_GET] =
        {"idem_get",
         "SELECT job_json(j) FROM idempotency_keys k JOIN jobs j ON j.job_id = k.job_id"
         " WHERE k.app_id = $1::uuid AND k.key = $2 AND k.created_at >= now() - interval '24 hours'",
         2, 0, 0},
    /* 0 job object, 1 status, 2 expired (past retention or purged), 3 pages, 4 outputs (jsonb array),
     * 5 options (jsonb) */
    [DB_RGN_JOB_GET] =
        {"job_get",
         "SELECT job_json(j), status, expires_at <= now() OR purged_at IS NOT NULL, doc_pages,"
         " options -> 'outputs', options FROM jobs j WHERE job_id = $1::uuid AND app_id = $2::uuid",
         2, 0, 0},
    /* $1 app, $2 status, $3 correlation id, $4 created from, $5 created to, $6 limit, $7 cursor time (epoch
     * us), $8 cursor job id. Newest first; keyset pagination on (created_at, job_id). 0 job, 1 created epoch
     * us, 2 id */
    [DB_RGN_JOB_LIST] =
        {"job_list",
         "SELECT job_json(j), (extract(epoch FROM created_at) * 1000000)::bigint, job_id FROM jobs j"
         " WHERE app_id = $1::uuid AND ($2::text IS NULL OR status = $2)"
         " AND ($3::text IS NULL OR correlation_id = $3)"
         " AND ($4::timestamptz IS NULL OR created_at >= $4::timestamptz)"
         " AND ($5::timestamptz IS NULL OR created_at < $5::timestamptz)"
         " AND ($7::bigint IS NULL OR (created_at, job_id) <"
         " (to_timestamp($7::bigint / 1000000.0), $8::uuid))"
         " ORDER BY created_at DESC, job_id DESC LIMIT $6::int",
         8, 0, 0},
    /* $1 job, $2 app, $3 name, $4 content type, $5 document, $6 pages. Only a created job without a document.
     * 0 job object (no row: the job is not in that state) */
    [DB_RGN_JOB_UPLOAD] =
        {"job_upload",
         "WITH u AS (UPDATE jobs SET doc_name = $3, doc_content_type = $4, doc_bytes = length($5::bytea),"
         " doc_pages = $6::int, doc_sha256 = encode(sha256($5::bytea), 'hex'),"
         " status = CASE WHEN (options ->> 'autostart')::boolean THEN 'scheduled' ELSE status END,"
         " scheduled_at = CASE WHEN (options ->> 'autostart')::boolean THEN now() END,"
         " progress_message = CASE WHEN (options ->> 'autostart')::boolean THEN 'queued'"
         " ELSE 'waiting to be scheduled' END"
         " WHERE job_id = $1::uuid AND app_id = $2::uuid AND status = 'created' AND doc_bytes IS NULL"
         " RETURNING *),"
         " d AS (INSERT INTO job_documents (job_id, data) SELECT job_id, $5::bytea FROM u)"
         " SELECT job_json(u) FROM u",
         6, 1u << 4, 0},
    /* $1 job, $2 app, $3 options (jsonb). Only a created job. 0 job object (no row: not in that state) */
    [DB_RGN_JOB_PATCH] =
        {"job_patch",
         "UPDATE jobs SET options = $3::jsonb, correlation_id = $3::jsonb ->> 'correlationId',"
         " description = $3::jsonb ->> 'description',"
         " expires_at = created_at + make_interval(days => ($3::jsonb ->> 'retentionDays')::int)"
         " WHERE job_id = $1::uuid AND app_id = $2::uuid AND status = 'created' RETURNING job_json(jobs)",
         3, 0, 0},
    /* $1 job, $2 app. Only a created job with its document. 0 job object (no row: not in that state) */
    [DB_RGN_JOB_SCHEDULE] =
        {"job_schedule",
         "UPDATE jobs SET status = 'scheduled', scheduled_at = now(), progress_message = 'queued'"
         " WHERE job_id = $1::uuid AND app_id = $2::uuid AND status = 'created'"
         " AND doc_bytes IS NOT NULL RETURNING job_json(jobs)",
         2, 0, 0},
    /* A job not yet running, or running as page tasks (no worker holds the job itself), is canceled at once
     * and its tasks deleted (a worker recognizing one of them finds its lease gone at the next renewal); a
     * job a worker holds (preparing, or a whole-job run) is flagged and that worker stops between steps. 0
     * job object (no row: already finished, or no such job) */
    [DB_RGN_JOB_CANCEL] =
        {"job_cancel",
         "WITH c AS (UPDATE jobs SET cancel_requested = true,"
         " status = CASE WHEN status = 'processing' AND locked_by IS NOT NULL THEN status ELSE 'canceled' "
         "END,"
         " finished_at = CASE WHEN status = 'processing' AND locked_by IS NOT NULL THEN NULL ELSE now() END,"
         " progress_message = CASE WHEN status = 'processing' AND locked_by IS NOT NULL"
         " THEN 'cancel requested' ELSE 'canceled' END"
         " WHERE job_id = $1::uuid AND app_id = $2::uuid"
         " AND status IN ('created', 'scheduled', 'processing') RETURNING *),"
         " t AS (DELETE FROM job_tasks WHERE job_id IN (SELECT job_id FROM c WHERE status = 'canceled')),"
         " u AS (" USAGE_OUTCOME(
             "'canceled'", "c j",
             "j.status = 'canceled' AND j.pages_left IS NOT NULL") ")"
                                                                   " SELECT job_json(c) FROM c",
         2, 0, 0},
    /* 0 jobs deleted (0 or 1; 0 while it is processing, or no such job) */
    [DB_RGN_JOB_DELETE] = {"job_delete",
                           "WITH d AS (DELETE FROM jobs WHERE job_id = $1::uuid AND app_id = $2::uuid"
                           " AND status <> 'processing' RETURNING job_id),"
                           " k AS (DELETE FROM idempotency_keys WHERE job_id IN (SELECT job_id FROM d))"
                           " SELECT count(*) FROM d",
                           2, 0, 0},
    /* binary result: 0 content type, 1 data */
    [DB_RGN_JOB_OUTPUT] =
        {"job_output", "SELECT content_type, data FROM job_outputs WHERE job_id = $1::uuid AND format = $2",
         2, 0, 1},
    /* 0 status, 1 content (text), 2 error */
    [DB_RGN_PAGE_RESULT] =
        {"page_result",
         "SELECT status, CASE $3 WHEN 'text' THEN text WHEN 'json' THEN json WHEN 'hocr' THEN hocr"
         " WHEN 'tsv' THEN tsv WHEN 'alto' THEN alto END, error FROM job_pages"
         " WHERE job_id = $1::uuid AND page = $2::int",
         3, 0, 0},
    /* 0 the job's stored pages (jsonb array, by page number) */
    [DB_RGN_PAGE_LIST] =
        {"page_list",
         "SELECT coalesce(jsonb_agg(jsonb_build_object('page', page, 'status', status, 'width', width,"
         " 'height', height, 'dpi', dpi, 'confidence', round(confidence::numeric, 1), 'words', words,"
         " 'engineMs', engine_ms, 'error', error) ORDER BY page), '[]') FROM job_pages"
         " WHERE job_id = $1::uuid",
         1, 0, 0},
    /* $1 job. 0 the barcodes of every recognized page (jsonb array of {page, barcodes}, by page number; a
     * page whose detection failed has barcodes null), 1 how many in all */
    [DB_RGN_JOB_BARCODES] =
        {"job_barcodes",
         "SELECT coalesce(jsonb_agg(jsonb_build_object('page', page, 'barcodes', barcodes) ORDER BY page)"
         " FILTER (WHERE status = 'completed'), '[]'),"
         " coalesce(sum(jsonb_array_length(barcodes)), 0) FROM job_pages WHERE job_id = $1::uuid",
         1, 0, 0},

    /* $1 worker, $2 lease seconds. 0 job, 1 attempt, 2 max attempts, 3 options, 4 max pages, 5 max pixels,
     * 6 pages already stored, 7 app, 8 name. A purged job has no document left: never claimed. The first-come
     * claim of a scheduled job: workers claim jobs in the fair order of DB_RGN_TASK_CLAIM; this one is the
     * baseline ops/bench/claim measures it against. */
    [DB_RGN_JOB_CLAIM] =
        {"job_claim",
         "UPDATE jobs SET status = 'processing', locked_by = $1, attempt = attempt + 1,"
         " locked_until = now() + make_interval(secs => $2::int),"
         " started_at = coalesce(started_at, now()), progress_message = 'starting'"
         " WHERE job_id = (SELECT job_id FROM jobs WHERE status = 'scheduled' AND purged_at IS NULL"
         " ORDER BY scheduled_at, job_id FOR UPDATE SKIP LOCKED LIMIT 1)"
         " RETURNING job_id, attempt, max_attempts, options, max_pages, max_pixels,"
         " (SELECT count(*) FROM job_pages p WHERE p.job_id = jobs.job_id), app_id, doc_name",
         2, 0, 0},
    /* $1 job, $2 worker, $3 attempt, $4 lease seconds. The lease keeper's renewal while a worker is busy with
     * a page: fenced like every worker write, and never shortening a lease a stored page granted. The
     * keeper's connection commits without waiting for the disk (jobs/job_lease.c says why that is safe). */
    [DB_RGN_JOB_RENEW] =
        {"job_renew",
         "UPDATE jobs SET locked_until = GREATEST(locked_until, now() + make_interval(secs => $4::int))"
         " WHERE job_id = $1::uuid AND locked_by = $2 AND attempt = $3::int AND status = 'processing'"
         " RETURNING 1",
         4, 0, 0},
    /* $1 job. Binary result: 0 the document's bytes. */
    [DB_RGN_JOB_DOCUMENT] = {"job_document", "SELECT data FROM job_documents WHERE job_id = $1::uuid", 1, 0,
                             1},
    /* $1 job, $2 worker, $3 attempt, $4 pages of the document. A one-page job that its preparing worker runs
     * whole: the page count recorded, fenced on the job's lease, unless the license's tier caps its pages in
     * recognition (that page goes through the fair claim as a task). 0 cancel_requested; no row: capped or
     * lease lost (the seed that follows tells which). */
    [DB_RGN_JOB_SINGLE] = {"job_single",
                           "UPDATE jobs SET doc_pages = $4::int, pages_selected = 1 WHERE job_id = $1::uuid"
                           " AND locked_by = $2 AND attempt = $3::int AND status = 'processing'"
                           " AND max_concurrent_pages = 0 RETURNING cancel_requested",
                           4, 0, 0},
    /* $1 job, $2 worker, $3 attempt, $4 page, $5 status, $6 width, $7 height, $8 dpi, $9 confidence, $10
     * words, $11 engine ms, $12 error, $13 text, $14 json, $15 hocr, $16 tsv, $17 alto, $18 lease seconds,
     * $19 pages of the document, $20 the page as processed (PNG) or NULL, $21 the page's barcodes (JSON
     * array) or NULL, $22 pages of the selection done with this one, $23 pages selected. Stores one page and
     * moves progress in one statement, fenced; returns cancel_requested (no row: lease lost). */
    [DB_RGN_PAGE_STORE] =
        {"page_store",
         "WITH j AS (UPDATE jobs SET pages_done = $22::int,"
         " error_pages = error_pages + CASE WHEN $5 = 'failed' THEN 1 ELSE 0 END,"
         " confidence_sum = confidence_sum + CASE WHEN $10::int > 0 THEN $9::float8 ELSE 0 END,"
         " confidence_pages = confidence_pages + CASE WHEN $10::int > 0 THEN 1 ELSE 0 END,"
         " progress = LEAST(99, ($22::int * 100) / GREATEST($23::int, 1)),"
         " progress_message = CASE WHEN $5 = 'skipped' THEN progress_message"
         " ELSE 'recognized page ' || $4 || ' of ' || $19 END,"
         " locked_until = now() + make_interval(secs => $18::int)"
         " WHERE job_id = $1::uuid AND locked_by = $2 AND attempt = $3::int AND status = 'processing'"
         " RETURNING cancel_requested)," PAGE_UPSERT("NULL") " SELECT cancel_requested FROM j",
         23, 1u << 19, 0},
    /* binary result: 0 status, 1 the page as processed (PNG) */
    [DB_RGN_PAGE_IMAGE] = {"page_image",
                           "SELECT status, " PAGE_IMAGE
                           " FROM job_pages WHERE job_id = $1::uuid AND page = $2::int",
                           2, 0, 1},
    /* $1 job. Every stored page, in page order: 0 page, 1 status, 2 text, 3 json, 4 hocr, 5 tsv, 6 alto (the
     * per-page rows of the formats table, engine/eng_format.c, in its order), 7 error. */
    [DB_RGN_JOB_PAGES_ALL] =
        {"job_pages_all",
         "SELECT page, status, text, json, hocr, tsv, alto, error FROM job_pages WHERE job_id = $1::uuid"
         " ORDER BY page",
         1, 0, 0},
    /* $1 job. Binary result: the images of the completed pages, in page order: 0 page (as text), 1 the page
     * as processed (PNG, or NULL). Only for the outputs that embed them (mht). Ordered by the table's column:
     * the output column of the same name is text, and "10" sorts before "2". */
    [DB_RGN_JOB_PAGE_IMAGES] = {"job_page_images",
                                "SELECT page::text, " PAGE_IMAGE " FROM job_pages WHERE job_id = $1::uuid"
                                " AND status = 'completed' ORDER BY job_pages.page",
                                1, 0, 1},
    /* $1 job. Binary result: the stored one-page searchable PDFs, in page order: 0 page (as text), 1 the PDF
     * (empty: the renderer failed on that page). Pages without one (failed, blank, skipped, their own text
     * kept) have no place in the job's PDF. Ordered by the table's column: the output column of the same
     * name is text, in whose order "10" comes before "2". */
    [DB_RGN_JOB_PAGE_PDFS] = {"job_page_pdfs",
                              "SELECT p.page::text, p.pdf FROM job_pages p WHERE p.job_id = $1::uuid"
                              " AND p.pdf IS NOT NULL ORDER BY p.page",
                              1, 0, 1},
    /* $1 job. The one-page PDFs are dropped once the merged PDF is stored (it holds them all). */
    [DB_RGN_JOB_PAGE_PDFS_DROP] =
        {"job_page_pdfs_drop", "UPDATE job_pages SET pdf = NULL WHERE job_id = $1::uuid AND pdf IS NOT NULL",
         1, 0, 0},
    /* $1 job, $2 format, $3 content type (from the formats table), $4 the bytes (binary). */
    [DB_RGN_OUTPUT_STORE] =
        {"output_store",
         "INSERT INTO job_outputs (job_id, format, content_type, data) VALUES ($1::uuid, $2, $3,"
         " $4::bytea) ON CONFLICT (job_id, format) DO UPDATE SET data = EXCLUDED.data,"
         " content_type = EXCLUDED.content_type",
         4, 1u << 3, 0},
    /* $1 job, $2 worker, $3 attempt, $4 status, $5 error code, $6 error message, $7 progress message */
    [DB_RGN_JOB_FINISH] =
        {"job_finish",
         "UPDATE jobs SET status = $4, error_code = $5, error_message = $6, finished_at = now(),"
         " progress = CASE WHEN $4 = 'completed' THEN 100 ELSE progress END,"
         " progress_message = $7, locked_by = NULL, locked_until = NULL"
         " WHERE job_id = $1::uuid AND locked_by = $2 AND attempt = $3::int AND status = 'processing'"
         " RETURNING 1",
         7, 0, 0},
    /* No parameters: every job whose lease ran out goes back to the queue; returns their ids. Run by the
     * lease keeper, whose connection commits without waiting for the disk (jobs/job_lease.c says why). */
    [DB_RGN_REQUEUE_EXPIRED] = {"requeue_expired",
                                "UPDATE jobs SET status = 'scheduled', locked_by = NULL, locked_until = NULL,"
                                " progress_message = 'waiting to resume' WHERE status = 'processing'"
                                " AND locked_until < now() RETURNING job_id",
                                0, 0, 0},
    /* Jobs held by a lease owner ("<node>/<worker>") or by every worker of a node ("<node>"): at start-up a
     * node takes back what it held when it stopped (it is the only process with its id), and a worker that
     * lost the database takes back its own job once it reconnects. */
    [DB_RGN_REQUEUE_MINE] =
        {"requeue_mine",
         "WITH t AS (UPDATE job_tasks SET locked_by = NULL, locked_until = NULL"
         " WHERE locked_by = $1 OR starts_with(locked_by, $1 || '/') RETURNING job_id),"
         " j AS (UPDATE jobs SET status = 'scheduled', locked_by = NULL, locked_until = NULL,"
         " progress_message = 'waiting to resume' WHERE status = 'processing'"
         " AND (locked_by = $1 OR starts_with(locked_by, $1 || '/')) RETURNING job_id)"
         " SELECT job_id FROM j UNION SELECT job_id FROM t",
         1, 0, 0},
    /* $1 job, $2 worker, $3 attempt: the job has used up its attempts. */
    [DB_RGN_FAIL_EXHAUSTED] =
        {"fail_exhausted",
         "UPDATE jobs SET status = 'failed', error_code = 'ProcessingFailed',"
         " error_message = 'the job failed ' || attempt || ' attempts', finished_at = now(),"
         " progress_message = 'failed', locked_by = NULL, locked_until = NULL"
         " WHERE job_id = $1::uuid AND locked_by = $2 AND attempt = $3::int RETURNING 1",
         3, 0, 0},
    /* Deletes the document and results of jobs past retention, keeping the row as a tombstone (GET: 410).
     * Only jobs that are over (or were never started): a queued or running job keeps its document until it
     * ends. */
    [DB_RGN_PURGE_EXPIRED] =
        {"purge_expired",
         "WITH e AS (UPDATE jobs SET purged_at = now() WHERE job_id IN (SELECT job_id FROM jobs"
         " WHERE purged_at IS NULL AND expires_at <= now()"
         " AND status IN ('completed', 'failed', 'canceled', 'created') LIMIT 500)"
         " RETURNING job_id),"
         " a AS (DELETE FROM job_documents WHERE job_id IN (SELECT job_id FROM e)),"
         " b AS (DELETE FROM job_pages WHERE job_id IN (SELECT job_id FROM e)),"
         " c AS (DELETE FROM job_outputs WHERE job_id IN (SELECT job_id FROM e))"
         " SELECT count(*) FROM e",
         0, 0, 0},
    [DB_RGN_IDEM_SWEEP] = {"idem_sweep",
                           "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'", 0,
                           0, 0},
    /* $1 job, $2 worker, $3 attempt, $4 pages of the document, $5 the pages to recognize (int[]), $6 the
     * resolution of each (int[], 0: the job's own), $7 pages left out by the selection (int[]), $8 selected
     * pages over the tier's pixels at every resolution (int[], stored failed), $9 the rest of their error
     * sentence after "page N", $10 pages selected, $11 maxParallelPages. Fenced on the job's lease, which it
     * releases: from here on the job is held by its page tasks. Returns cancel_requested (true: nothing
     * seeded, the caller cancels); no row: lease lost. */
    [DB_RGN_JOB_SEED] =
        {"job_seed",
         "WITH j AS (UPDATE jobs SET doc_pages = $4::int, pages_selected = $10::int,"
         " pages_left = CASE WHEN cancel_requested THEN pages_left ELSE cardinality($5::int[]) END,"
         " pages_done = CASE WHEN cancel_requested THEN pages_done ELSE cardinality($8::int[]) END,"
         " error_pages = CASE WHEN cancel_requested THEN error_pages ELSE cardinality($8::int[]) END,"
         " locked_by = CASE WHEN cancel_requested THEN locked_by END,"
         " locked_until = CASE WHEN cancel_requested THEN locked_until END,"
         " progress = CASE WHEN cancel_requested THEN progress"
         " ELSE LEAST(99, cardinality($8::int[]) * 100 / GREATEST($10::int, 1)) END,"
         " progress_message = CASE WHEN cancel_requested THEN progress_message"
         " ELSE 'recognizing, ' || cardinality($8::int[]) || ' of ' || $10 || ' pages done' END"
         " WHERE job_id = $1::uuid AND locked_by = $2 AND attempt = $3::int AND status = 'processing'"
         " RETURNING job_id, license_id, app_id, cancel_requested, max_concurrent_pages),"
         " go AS (SELECT j.*, nextval('job_turn') AS seq FROM j WHERE NOT cancel_requested),"
         " lt AS (INSERT INTO license_turns (license_id, cap) SELECT license_id, max_concurrent_pages FROM go"
         " ON CONFLICT (license_id) DO UPDATE SET cap = EXCLUDED.cap),"
         " at AS (INSERT INTO app_turns (app_id, license_id) SELECT app_id, license_id FROM go"
         " ON CONFLICT (app_id) DO UPDATE SET license_id = EXCLUDED.license_id),"
         " t AS (INSERT INTO job_tasks (job_id, page, license_id, app_id, seq, dpi, job_cap)"
         " SELECT go.job_id, p.page, go.license_id, go.app_id, go.seq, p.dpi, $11::int"
         " FROM go, unnest($5::int[], $6::int[]) AS p(page, dpi)),"
         " sk AS (INSERT INTO job_pages (job_id, page, status) SELECT go.job_id, p, 'skipped'"
         " FROM go, unnest($7::int[]) AS p ON CONFLICT (job_id, page) DO NOTHING),"
         " ov AS (INSERT INTO job_pages (job_id, page, status, error) SELECT go.job_id, p, 'failed',"
         " 'page ' || p || $9 FROM go, unnest($8::int[]) AS p ON CONFLICT (job_id, page) DO NOTHING)"
         " SELECT cancel_requested FROM j",
         11, 0, 0},
    /* $1 worker, $2 lease seconds. The fair claim of a job's next step (task_claim, sql/region/013): a
     * scheduled job (page -1) or one page task. 0 job, 1 the job's or the task's attempt, 2 max attempts,
     * 3 options, 4 max pages, 5 max pixels, 6 page (-1: the job, 0: assembling), 7 app, 8 name, 9 pages of
     * the document, 10 pages selected, 11 the page's resolution (0: the job's), 12 pages already stored (the
     * job), 13 more queued in the claimed app (t/f). No row: nothing claimable; one row with a NULL job: busy
     * (a turn another claimer held was skipped), claim again. The job's row comes from claimed_job, in a
     * snapshot taken after the claim's (sql/region/013 says why). The claim commits without waiting for the
     * disk (task_claim sets it for this transaction only, sql/region/016): a claim lost in a crash of the
     * database leaves the task unclaimed at its previous attempt, and the worker that thought it held it is
     * fenced out of every write (locked_by and attempt), so its page is recognized again, never stored twice;
     * every write recording work commits synchronously, which flushes the claims before it. */
    [DB_RGN_TASK_CLAIM] =
        {"task_claim",
         "SELECT c.job_id, c.attempt, j.max_attempts, j.options, j.max_pages, j.max_pixels, c.page, j.app_id,"
         " j.doc_name, j.doc_pages, j.pages_selected, c.dpi, CASE WHEN c.page < 0 THEN"
         " (SELECT count(*) FROM job_pages p WHERE p.job_id = c.job_id) END, c.more FROM task_claim($1, "
         "$2::int) c"
         " LEFT JOIN LATERAL claimed_job(c.job_id) j ON true",
         2, 0, 0},
    /* $1 job, $2 worker, $3 attempt, $4 lease seconds, $5 page. The lease keeper's renewal of a task; gone
     * once the job is canceled or over (recognition then stops). */
    [DB_RGN_TASK_RENEW] =
        {"task_renew",
         "UPDATE job_tasks t SET locked_until = GREATEST(locked_until, now() + make_interval(secs => "
         "$4::int))"
         " WHERE t.job_id = $1::uuid AND t.page = $5::int AND t.locked_by = $2 AND t.attempt = $3::int"
         " AND EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = $1::uuid AND j.status = 'processing'"
         " AND NOT j.cancel_requested) RETURNING 1",
         5, 0, 0},
    /* $1 job, $2 worker, $3 attempt, $4 page, $5 status, $6 width, $7 height, $8 dpi, $9 confidence, $10
     * words, $11 engine ms, $12 error, $13 text, $14 json, $15 hocr, $16 tsv, $17 alto, $18 the lease of the
     * assembling task (seconds), $19 pages selected, $20 the page as processed (PNG) or NULL, $21 its
     * barcodes (JSON array) or NULL, $22 its one-page searchable PDF or NULL. Deletes the task (fenced on
     * worker and attempt), stores the page and counts it on the job; the job row's lock orders concurrent
     * stores, so exactly one sees no page left, and it gets the assembling task (page 0), already claimed. 0
     * cancel_requested, 1 this store was the last page's; no row: the task is no longer this worker's. */
    [DB_RGN_TASK_STORE] =
        {"task_store",
         "WITH t AS (DELETE FROM job_tasks WHERE job_id = $1::uuid AND page = $4::int AND locked_by = $2"
         " AND attempt = $3::int RETURNING 1),"
         " j AS (UPDATE jobs SET pages_done = pages_done + 1, pages_left = pages_left - 1,"
         " error_pages = error_pages + CASE WHEN $5 = 'failed' THEN 1 ELSE 0 END,"
         " confidence_sum = confidence_sum + CASE WHEN $10::int > 0 THEN $9::float8 ELSE 0 END,"
         " confidence_pages = confidence_pages + CASE WHEN $10::int > 0 THEN 1 ELSE 0 END,"
         " progress = LEAST(99, ((pages_done + 1) * 100) / GREATEST($19::int, 1)),"
         " progress_message = 'recognizing, ' || (pages_done + 1) || ' of ' || $19 || ' pages done'"
         " WHERE job_id = $1::uuid AND status = 'processing' AND EXISTS (SELECT 1 FROM t)"
         " RETURNING cancel_requested, pages_left, license_id, app_id)," PAGE_UPSERT(
             "$22") ","
                    " a AS (INSERT INTO job_tasks (job_id, page, license_id, app_id, seq, locked_by, "
                    "locked_until, "
                    "attempt)"
                    " SELECT $1::uuid, 0, license_id, app_id, 0, $2, now() + make_interval(secs => "
                    "$18::int), 1 FROM j"
                    " WHERE pages_left = 0)"
                    " SELECT cancel_requested, pages_left = 0 FROM j",
         22, 1u << 19 | 1u << 21, 0},
    /* $1 job, $2 worker, $3 attempt, $4 status, $5 error code, $6 error message, $7 progress message. The end
     * of a page-parallel job, an UPDATE of jobs fenced on its assembling task (which it deletes). */
    [DB_RGN_TASK_FINISH] =
        {"task_finish",
         "WITH t AS (DELETE FROM job_tasks WHERE job_id = $1::uuid AND page = 0 AND locked_by = $2"
         " AND attempt = $3::int RETURNING 1)"
         " UPDATE jobs SET status = $4, error_code = $5, error_message = $6, finished_at = now(),"
         " progress = CASE WHEN $4 = 'completed' THEN 100 ELSE progress END,"
         " progress_message = $7, locked_by = NULL, locked_until = NULL"
         " WHERE job_id = $1::uuid AND status = 'processing' AND EXISTS (SELECT 1 FROM t) RETURNING 1",
         7, 0, 0},
    /* No parameters: page tasks whose lease ran out go back to the queue (attempt kept, so that a page that
     * keeps killing its workers fails after the tier's attempts), their license and app given a turn again
     * when the sweep had dropped it. 0 job, 1 page. Run by the lease keeper, whose connection commits without
     * waiting for the disk (jobs/job_lease.c says why). */
    [DB_RGN_TASK_REQUEUE_EXPIRED] =
        {"task_requeue_expired",
         "WITH e AS (UPDATE job_tasks SET locked_by = NULL, locked_until = NULL WHERE (job_id, page) IN"
         " (SELECT job_id, page FROM job_tasks WHERE locked_by IS NOT NULL AND locked_until < now()"
         " FOR UPDATE SKIP LOCKED) RETURNING job_id, page, license_id, app_id),"
         " l AS (INSERT INTO license_turns (license_id) SELECT DISTINCT license_id FROM e"
         " ON CONFLICT (license_id) DO NOTHING),"
         " a AS (INSERT INTO app_turns (app_id, license_id) SELECT DISTINCT app_id, license_id FROM e"
         " ON CONFLICT (app_id) DO NOTHING)"
         " SELECT job_id, page FROM e",
         0, 0, 0},
    /* No parameters, the sweep: tasks of jobs that are over (a cancel that raced a seed) deleted; the turns
     * of apps without tasks or scheduled jobs dropped, then (next sweep) of licenses without apps. A turn a
     * seed or a scheduling is upserting is locked, hence skipped: neither loses its turn. 0 tasks deleted. */
    [DB_RGN_TASK_TIDY] =
        {"task_tidy",
         "WITH o AS (DELETE FROM job_tasks t USING jobs j WHERE j.job_id = t.job_id"
         " AND j.status <> 'processing' RETURNING 1),"
         " a AS (DELETE FROM app_turns WHERE app_id IN (SELECT app_id FROM app_turns at WHERE NOT EXISTS"
         " (SELECT 1 FROM job_tasks t WHERE t.app_id = at.app_id AND t.locked_by IS NULL) AND NOT EXISTS"
         " (SELECT 1 FROM job_tasks t WHERE t.app_id = at.app_id AND t.locked_by IS NOT NULL) AND NOT EXISTS"
         " (SELECT 1 FROM jobs j WHERE j.app_id = at.app_id AND j.status = 'scheduled' AND j.purged_at IS "
         "NULL)"
         " FOR UPDATE SKIP LOCKED)),"
         " l AS (DELETE FROM license_turns WHERE license_id IN (SELECT license_id FROM license_turns lt"
         " WHERE NOT EXISTS (SELECT 1 FROM app_turns at WHERE at.license_id = lt.license_id)"
         " FOR UPDATE SKIP LOCKED))"
         " SELECT count(*) FROM o",
         0, 0, 0},
    /* No parameters, the sweep after DB_RGN_TASK_TIDY: a scheduled job whose turn the tidy dropped in the
     * instant between its look and its lock gets its turns back (else no fair claim would walk to it). */
    [DB_RGN_TURN_REPAIR] =
        {"turn_repair",
         "WITH s AS (SELECT DISTINCT ON (app_id) app_id, license_id, max_concurrent_pages FROM jobs"
         " WHERE status = 'scheduled' AND purged_at IS NULL ORDER BY app_id),"
         " l AS (INSERT INTO license_turns (license_id, cap) SELECT DISTINCT ON (license_id) license_id,"
         " max_concurrent_pages FROM s ON CONFLICT (license_id) DO NOTHING)"
         " INSERT INTO app_turns (app_id, license_id) SELECT app_id, license_id FROM s"
         " ON CONFLICT (app_id) DO NOTHING",
         0, 0, 0},
    /* Work became claimable in the region (sql/region/013): the lease keeper listens, and wakes its pool. */
    [DB_RGN_WORK_LISTEN] = {"work_listen", "LISTEN ocrgate_work", 0, 0, 0},
    /* $1: JSON array of per-app-hour counters from one gateway thread; added in one statement. */
    [DB_RGN_USAGE_FLUSH] =
        {"usage_flush",
         "INSERT INTO app_usage_hourly AS u (app_id, hour, license_id, requests, responses_2xx,"
         " responses_4xx, responses_5xx, quota_rejections, jobs_created, bytes_in, bytes_out,"
         " latency_hist)"
         " SELECT r.app_id, to_timestamp(r.hour), r.license_id, r.requests, r.r2, r.r4, r.r5, r.q,"
         " r.jobs, r.bin, r.bout, ARRAY(SELECT jsonb_array_elements_text(r.hist)::bigint)"
         " FROM jsonb_to_recordset($1::jsonb) AS r(app_id uuid, hour bigint, license_id uuid,"
         " requests bigint, r2 bigint, r4 bigint, r5 bigint, q bigint, jobs bigint, bin bigint,"
         " bout bigint, hist jsonb)"
         " ON CONFLICT (app_id, hour) DO UPDATE SET requests = u.requests + EXCLUDED.requests,"
         " responses_2xx = u.responses_2xx + EXCLUDED.responses_2xx,"
         " responses_4xx = u.responses_4xx + EXCLUDED.responses_4xx,"
         " responses_5xx = u.responses_5xx + EXCLUDED.responses_5xx,"
         " quota_rejections = u.quota_rejections + EXCLUDED.quota_rejections,"
         " jobs_created = u.jobs_created + EXCLUDED.jobs_created,"
         " bytes_in = u.bytes_in + EXCLUDED.bytes_in, bytes_out = u.bytes_out + EXCLUDED.bytes_out,"
         " latency_hist = hist_add(u.latency_hist, EXCLUDED.latency_hist)",
         1, 0, 0},
    /* $1 job, $2 completed | failed | canceled: a job's outcome, added by the worker that finished it. */
    [DB_RGN_USAGE_JOB] = {"usage_job", USAGE_OUTCOME("$2", "jobs j", "j.job_id = $1::uuid"), 2, 0, 0},
    /* $1 license, $2 app, $3 from, $4 to, $5 'hour' | 'day'. One row per bucket that has data:
     * 0 start (epoch), 1 requests, 2 2xx, 3 4xx, 4 5xx, 5 quota, 6 created, 7 completed, 8 failed, 9
     * canceled, 10 pages, 11 error pages, 12 bytes in, 13 bytes out, 14 engine ms, 15 confidence sum, 16
     * confidence pages, 17 merged latency histogram (as '{...}'), 18 webhook attempts delivered, 19 failed */
    [DB_RGN_USAGE_QUERY] =
        {"usage_query",
         "WITH r AS (SELECT date_trunc($5, hour AT TIME ZONE 'UTC') AS b, * FROM app_usage_hourly"
         " WHERE license_id = $1::uuid AND app_id = $2::uuid AND hour >= to_timestamp($3::bigint)"
         " AND hour < to_timestamp($4::bigint)),"
         " h AS (SELECT b, array_agg(v ORDER BY i) AS hist FROM (SELECT b, i, sum(v) AS v FROM r,"
         " unnest(r.latency_hist) WITH ORDINALITY AS t(v, i) GROUP BY b, i) s GROUP BY b)"
         " SELECT extract(epoch FROM r.b)::bigint, sum(requests), sum(responses_2xx),"
         " sum(responses_4xx), sum(responses_5xx), sum(quota_rejections), sum(jobs_created),"
         " sum(jobs_completed), sum(jobs_failed), sum(jobs_canceled), sum(pages), sum(error_pages),"
         " sum(bytes_in), sum(bytes_out), sum(engine_ms), sum(confidence_sum), sum(confidence_pages),"
         " min(h.hist::text), sum(webhooks_ok), sum(webhooks_failed)"
         " FROM r JOIN h ON h.b = r.b GROUP BY r.b ORDER BY 1",
         5, 0, 0},
    [DB_RGN_TPL_CREATE] =
        {"tpl_create",
         "INSERT INTO templates (template_id, app_id, name, options) VALUES ($1::uuid, $2::uuid, $3,"
         " $4::jsonb) RETURNING template_json(templates)",
         4, 0, 0},
    [DB_RGN_TPL_LIST] = {"tpl_list",
                         "SELECT coalesce(jsonb_agg(template_json(t) ORDER BY created_at, template_id), '[]')"
                         " FROM templates t WHERE app_id = $1::uuid",
                         1, 0, 0},
    /* 0 template object, 1 options */
    [DB_RGN_TPL_GET] = {"tpl_get",
                        "SELECT template_json(t), options FROM templates t WHERE template_id = $1::uuid AND "
                        "app_id = $2::uuid",
                        2, 0, 0},
    [DB_RGN_TPL_UPDATE] =
        {"tpl_update",
         "UPDATE templates SET name = coalesce($3, name), options = coalesce($4::jsonb, options),"
         " updated_at = now() WHERE template_id = $1::uuid AND app_id = $2::uuid"
         " RETURNING template_json(templates)",
         4, 0, 0},
    [DB_RGN_TPL_DELETE] =
        {"tpl_delete", "DELETE FROM templates WHERE template_id = $1::uuid AND app_id = $2::uuid RETURNING 1",
         2, 0, 0},
    /* 0 jobs by status (object), 1 pages recognized, 2 error pages */
    [DB_RGN_STATS] =
        {"stats",
         "SELECT coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM jobs"
         " WHERE app_id = $1::uuid AND purged_at IS NULL GROUP BY status) s), '{}'),"
         " coalesce((SELECT sum(pages) FROM app_usage_hourly WHERE app_id = $1::uuid), 0),"
         " coalesce((SELECT sum(error_pages) FROM app_usage_hourly WHERE app_id = $1::uuid), 0)",
         1, 0, 0},
    /* 0 queued, 1 processing, 2 jobs by status (object, region-wide) */
    /* /v1/serverload for tenants: region-wide queue figures only, each read from its partial index and
     * counted up to 10000 (a figure of 10000 means at least that many), never a scan of the whole jobs table.
     */
    [DB_RGN_SERVERLOAD] = {"serverload",
                           "SELECT (SELECT count(*) FROM (SELECT 1 FROM jobs WHERE status = 'scheduled'"
                           " ORDER BY scheduled_at, job_id LIMIT 10000) q),"
                           " (SELECT count(*) FROM (SELECT 1 FROM jobs WHERE status = 'processing'"
                           " ORDER BY locked_until LIMIT 10000) p)",
                           0, 0, 0},
    /* 0 jobs queued, 1 jobs processing (the queue's partial indexes), 2 the region's jobs by state, not
     * purged, as a JSON object: the states a job passes through counted from the partial index jobs_live,
     * the final ones from their kept totals and the deltas not folded yet (region migration 015). Nothing in
     * it reads the rows of finished jobs, however many the retention keeps. */
    [DB_RGN_LOAD] =
        {"load",
         "SELECT (SELECT count(*) FROM jobs WHERE status = 'scheduled'),"
         " (SELECT count(*) FROM jobs WHERE status = 'processing'),"
         " (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM ("
         "SELECT status, count(*) AS n FROM jobs"
         " WHERE status IN ('created', 'scheduled', 'processing') AND purged_at IS NULL GROUP BY status"
         " UNION ALL SELECT status, sum(n) FROM (SELECT status, n FROM job_final_totals"
         " UNION ALL SELECT status, n FROM job_final_deltas) f GROUP BY status) s)",
         0, 0, 0},
    /* Folds the deltas of the final states' counts into their totals (region migration 015), in one
     * statement: each delta is deleted and added once. One node's fold at a time (the advisory lock; another
     * node's meanwhile does nothing), so two folds never wait for each other's rows. */
    [DB_RGN_JOB_COUNTS_FOLD] = {"job_counts_fold",
                                "WITH moved AS (DELETE FROM job_final_deltas"
                                " WHERE (SELECT pg_try_advisory_xact_lock(7041978)) RETURNING status, n)"
                                " INSERT INTO job_final_totals AS t (status, n)"
                                " SELECT status, sum(n) FROM moved GROUP BY status ORDER BY status"
                                " ON CONFLICT (status) DO UPDATE SET n = t.n + excluded.n",
                                0, 0, 0},

    /* Webhooks. Endpoint statements take $1 endpoint, $2 license, $3 app (an endpoint of another app or
     * license names nothing) and return the endpoint object, webhook_json(), which never holds a secret. */
    /* $4 url, $5 events (JSON array), $6 secret, $7 most endpoints per app. 0 object, 1 secret; no row
     * when the app has its most already. */
    [DB_RGN_WH_CREATE] =
        {"wh_create",
         "INSERT INTO webhook_endpoints (endpoint_id, license_id, app_id, url, events, secret)"
         " SELECT $1::uuid, $2::uuid, $3::uuid, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6"
         " WHERE (SELECT count(*) FROM webhook_endpoints WHERE app_id = $3::uuid) < $7::int"
         " RETURNING webhook_json(webhook_endpoints), secret",
         7, 0, 0},
    /* $1 license, $2 app. 0 JSON array of objects, oldest first */
    [DB_RGN_WH_LIST] = {"wh_list",
                        "SELECT coalesce(jsonb_agg(webhook_json(e) ORDER BY created_at, endpoint_id), '[]')"
                        " FROM webhook_endpoints e WHERE license_id = $1::uuid AND app_id = $2::uuid",
                        2, 0, 0},
    /* $4 url, $5 events (JSON array), $6 enabled ('true' | 'false'), each NULL to keep. Enabling an endpoint
     * that was off clears why and since when it failed, and makes the messages it held due at once. */
    [DB_RGN_WH_UPDATE] =
        {"wh_update",
         "WITH e AS (UPDATE webhook_endpoints SET url = coalesce($4, url),"
         " events = CASE WHEN $5::jsonb IS NULL THEN events"
         " ELSE ARRAY(SELECT jsonb_array_elements_text($5::jsonb)) END,"
         " enabled = coalesce($6::boolean, enabled),"
         " disabled_reason = CASE WHEN $6::boolean THEN NULL ELSE disabled_reason END,"
         " failing_since = CASE WHEN $6::boolean AND NOT enabled THEN NULL ELSE failing_since END,"
         " updated_at = now()"
         " WHERE endpoint_id = $1::uuid AND license_id = $2::uuid AND app_id = $3::uuid"
         " RETURNING endpoint_id, webhook_json(webhook_endpoints) AS j),"
         " m AS (UPDATE webhook_messages SET next_attempt_at = now() WHERE $6::boolean"
         " AND endpoint_id IN (SELECT endpoint_id FROM e) AND status = 'pending' AND locked_by IS NULL)"
         " SELECT j FROM e",
         6, 0, 0},
    [DB_RGN_WH_DELETE] =
        {"wh_delete",
         "DELETE FROM webhook_endpoints WHERE endpoint_id = $1::uuid AND license_id = $2::uuid"
         " AND app_id = $3::uuid RETURNING 1",
         3, 0, 0},
    /* $4 the new secret. The current one keeps signing, beside it, for 24 hours. 0 object */
    [DB_RGN_WH_ROTATE] = {"wh_rotate",
                          "UPDATE webhook_endpoints SET old_secret = secret,"
                          " old_secret_until = now() + interval '24 hours', secret = $4, updated_at = now()"
                          " WHERE endpoint_id = $1::uuid AND license_id = $2::uuid AND app_id = $3::uuid"
                          " RETURNING webhook_json(webhook_endpoints)",
                          4, 0, 0},
    /* A webhook.test message for an enabled endpoint. 0 enabled, 1 message id (NULL when disabled) */
    [DB_RGN_WH_TEST] = {"wh_test",
                        "SELECT e.enabled, CASE WHEN e.enabled THEN webhook_enqueue(e, 'webhook.test',"
                        " jsonb_build_object('webhookId', e.endpoint_id, 'appId', e.app_id)) END,"
                        " pg_notify('ocrgate_webhooks', '')::text"
                        " FROM webhook_endpoints e WHERE endpoint_id = $1::uuid AND license_id = $2::uuid"
                        " AND app_id = $3::uuid",
                        3, 0, 0},
    /* $4 how many. 0 JSON array of the endpoint's latest attempts, newest first; nextAttemptAt is null while
     * an attempt is under way (the claim's lease is no promise to the user) */
    [DB_RGN_WH_DELIVERIES] =
        {"wh_deliveries",
         "SELECT coalesce((SELECT jsonb_agg(jsonb_build_object('messageId', a.message_id,"
         " 'eventType', m.event_type, 'attempt', a.attempt, 'at', iso_utc(a.at), 'statusCode', a.status_code,"
         " 'latencyMs', a.latency_ms, 'delivered', a.error IS NULL, 'error', a.error,"
         " 'messageStatus', m.status, 'nextAttemptAt',"
         " CASE WHEN m.status = 'pending' AND m.locked_by IS NULL THEN iso_utc(m.next_attempt_at) END)"
         " ORDER BY a.at DESC, a.attempt DESC)"
         " FROM (SELECT * FROM webhook_attempts WHERE endpoint_id = e.endpoint_id"
         " ORDER BY at DESC, attempt DESC LIMIT $4::int) a JOIN webhook_messages m USING (message_id)), '[]')"
         " FROM webhook_endpoints e WHERE e.endpoint_id = $1::uuid AND e.license_id = $2::uuid"
         " AND e.app_id = $3::uuid",
         4, 0, 0},
    [DB_RGN_WH_LISTEN] = {"wh_listen", "LISTEN ocrgate_webhooks", 0, 0, 0},
    /* $1 delivery thread ("<node>/wh<n>"), $2 lease seconds. The oldest due message of an enabled endpoint,
     * claimed: its next attempt moves past the lease, so that no other thread sends it meanwhile, and a
     * thread that dies holding it only delays it. 0 message id, 1 attempt (1-based), 2 body, 3 url, 4
     * secret, 5 the secret being rotated out (NULL when none), 6 endpoint */
    [DB_RGN_WH_CLAIM] =
        {"wh_claim",
         "WITH c AS (SELECT m.message_id FROM webhook_messages m JOIN webhook_endpoints e USING (endpoint_id)"
         " WHERE m.status = 'pending' AND m.next_attempt_at <= now() AND e.enabled"
         " ORDER BY m.next_attempt_at LIMIT 1 FOR UPDATE OF m SKIP LOCKED)"
         " UPDATE webhook_messages m SET attempts = m.attempts + 1, locked_by = $1,"
         " next_attempt_at = now() + make_interval(secs => $2::int)"
         " FROM c, webhook_endpoints e WHERE m.message_id = c.message_id AND e.endpoint_id = m.endpoint_id"
         " RETURNING m.message_id, m.attempts, m.payload::text, e.url, e.secret,"
         " CASE WHEN e.old_secret_until > now() THEN e.old_secret END, e.endpoint_id",
         2, 0, 0},
    /* An attempt's outcome, fenced on the claim: $1 message, $2 thread, $3 attempt, $4 HTTP status (NULL: no
     * answer), $5 latency ms, $6 error (NULL: delivered), $7 'delivered' | 'retry' | 'failed' | 'gone', $8
     * milliseconds to the next attempt (retry). The attempt is logged, the app's analytics counted, and the
     * endpoint disabled on 'gone' or when it has been failing for 3 days. 0 why it was disabled, or NULL */
    [DB_RGN_WH_RESULT] =
        {"wh_result",
         "WITH m AS (UPDATE webhook_messages SET locked_by = NULL,"
         " status = CASE $7 WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'pending' ELSE 'failed' END,"
         " next_attempt_at = CASE WHEN $7 = 'retry' THEN now() + make_interval(secs => $8::float8 / 1000)"
         " ELSE next_attempt_at END,"
         " finished_at = CASE WHEN $7 = 'retry' THEN NULL ELSE now() END"
         " WHERE message_id = $1 AND locked_by = $2 AND attempts = $3::int AND status = 'pending'"
         " RETURNING endpoint_id, app_id, license_id),"
         " a AS (INSERT INTO webhook_attempts (message_id, attempt, endpoint_id, status_code, latency_ms,"
         " error) SELECT $1, $3::int, endpoint_id, $4::int, $5::int, $6 FROM m),"
         " u AS (INSERT INTO app_usage_hourly AS u (app_id, hour, license_id, webhooks_ok, webhooks_failed)"
         " SELECT app_id, date_trunc('hour', now()), license_id, ($6 IS NULL)::int, ($6 IS NOT NULL)::int"
         " FROM m ON CONFLICT (app_id, hour) DO UPDATE SET webhooks_ok = u.webhooks_ok + "
         "EXCLUDED.webhooks_ok,"
         " webhooks_failed = u.webhooks_failed + EXCLUDED.webhooks_failed)"
         " UPDATE webhook_endpoints e SET"
         " failing_since = CASE WHEN $6 IS NULL THEN NULL ELSE coalesce(e.failing_since, now()) END,"
         " enabled = e.enabled AND $7 <> 'gone' AND NOT ($6 IS NOT NULL"
         " AND coalesce(e.failing_since < now() - interval '3 days', false)),"
         " disabled_reason = CASE WHEN NOT e.enabled THEN e.disabled_reason WHEN $7 = 'gone' THEN 'gone'"
         " WHEN $6 IS NOT NULL AND e.failing_since < now() - interval '3 days' THEN 'failing'"
         " ELSE e.disabled_reason END"
         " FROM m WHERE e.endpoint_id = m.endpoint_id RETURNING e.disabled_reason",
         8, 0, 0},
    /* Messages a delivery thread ("<node>/wh<n>") or every thread of a node ("<node>") had claimed and not
     * finished: due again at once, the unfinished attempt not counted. A node starting again takes back what
     * it held when it died; a thread that stops mid-attempt gives its message back. */
    [DB_RGN_WH_REQUEUE_MINE] = {"wh_requeue_mine",
                                "UPDATE webhook_messages SET locked_by = NULL, next_attempt_at = now(),"
                                " attempts = attempts - 1 WHERE status = 'pending'"
                                " AND (locked_by = $1 OR starts_with(locked_by, $1 || '/')) RETURNING 1",
                                1, 0, 0},
    /* Finished messages (and their attempts) are kept 30 days for the deliveries list. */
    [DB_RGN_WH_SWEEP] =
        {"wh_sweep",
         "DELETE FROM webhook_messages WHERE message_id IN (SELECT message_id FROM"
         " webhook_messages WHERE status <> 'pending' AND finished_at < now() - interval '30 days'"
         " LIMIT 1000)",
         0, 0, 0},
    /* The compat surfaces (gateway/compat/cx_*). $1 job, $2 license: the job of any app of the license (the
     * per-result endpoints answer 403 for another app's). 0 job object, 1 status, 2 expired (past retention
     * or purged), 3 pages, 4 app, 5 options (jsonb) */
    [DB_CX_JOB_GET] = {"cx_job_get",
                       "SELECT job_json(j), status, expires_at <= now() OR purged_at IS NOT NULL, doc_pages, "
                       "app_id, options"
                       " FROM jobs j WHERE job_id = $1::uuid AND license_id = $2::uuid",
                       2, 0, 0},
    /* The synchronous wake-up's listener (migration 011 notifies a job's final state, payload its id). */
    [DB_CX_LISTEN] = {"cx_listen", "LISTEN ocrgate_job_final", 0, 0, 0},

    /* `ocrgate check`. 0 whether the runner's table exists (a database never migrated has none) */
    [DB_MIGRATIONS_TABLE] = {"migrations_table", "SELECT to_regclass('schema_migrations') IS NOT NULL", 0},
    /* 0 name of an applied migration */
    [DB_MIGRATIONS_APPLIED] = {"migrations_applied", "SELECT name FROM schema_migrations ORDER BY name", 0},
    /* 0 a language named by some template's options ("eng+deu" counts as eng and deu) */
    [DB_RGN_TPL_LANGUAGES] = {"tpl_languages",
                              "SELECT DISTINCT l FROM templates,"
                              " regexp_split_to_table(options->>'languages', '\\+') AS l"
                              " WHERE options ? 'languages' AND l <> '' ORDER BY l",
                              0},

    /* The ownOCR surface (/ocrjobs, gateway/compat/). Its rows: 0 kind ('job' or 'template'), 1 id (uuid), 2
     * app, 3 object (job_json or template_json), 4 ownOCR Id, 5 the Id of the template it was made from, 6
     * barcodes (ocr_barcodes), 7 v1 status. Every statement sees only the apps of $1 (uuid[]: the caller's
     * app, or every app of the license for its admin key). */
    /* $1 apps, $2 Id or NULL, $3 uuid or NULL */
    [DB_RGN_OCR_RESOLVE] =
        {"ocr_resolve",
         "SELECT 'job', j.job_id, j.app_id, job_json(j), j.ocr_id, j.ocr_template_id, ocr_barcodes(j.job_id),"
         " j.status FROM jobs j WHERE j.app_id = ANY($1::uuid[]) AND (j.ocr_id = $2::bigint OR j.job_id = "
         "$3::uuid)"
         " UNION ALL SELECT 'template', t.template_id, t.app_id, template_json(t), t.ocr_id, NULL, '[]', "
         "'created'"
         " FROM templates t WHERE t.app_id = ANY($1::uuid[]) AND (t.ocr_id = $2::bigint OR t.template_id = "
         "$3::uuid)",
         3, 0, 0},
    /* $1 apps, $2 v1 statuses (text[]) or NULL, $3 Ids (bigint[]) or NULL, $4 uuids or NULL, $5 correlation
     * ids or NULL, $6 created from, $7 created to, $8 limit. Oldest first (by Id), jobs past retention left
     * out. */
    [DB_RGN_OCR_QUERY] =
        {"ocr_query",
         "SELECT 'job', j.job_id, j.app_id, job_json(j), j.ocr_id, j.ocr_template_id, ocr_barcodes(j.job_id),"
         " j.status FROM jobs j WHERE j.app_id = ANY($1::uuid[]) AND j.purged_at IS NULL"
         " AND ($2::text[] IS NULL OR j.status = ANY($2::text[])) AND ($3::bigint[] IS NULL OR j.ocr_id = "
         "ANY($3::bigint[]))"
         " AND ($4::uuid[] IS NULL OR j.job_id = ANY($4::uuid[]))"
         " AND ($5::text[] IS NULL OR j.correlation_id = ANY($5::text[]))"
         " AND ($6::timestamptz IS NULL OR j.created_at >= $6::timestamptz)"
         " AND ($7::timestamptz IS NULL OR j.created_at < $7::timestamptz) ORDER BY j.ocr_id LIMIT $8::int",
         8, 0, 0},
    /* $1 apps, $2 Ids (bigint[]) or NULL, $3 uuids or NULL. By Id. */
    [DB_RGN_OCR_TEMPLATES] =
        {"ocr_templates",
         "SELECT 'template', t.template_id, t.app_id, template_json(t), t.ocr_id, NULL, '[]', 'created'"
         " FROM templates t WHERE t.app_id = ANY($1::uuid[]) AND ($2::bigint[] IS NULL OR t.ocr_id = "
         "ANY($2::bigint[]))"
         " AND ($3::uuid[] IS NULL OR t.template_id = ANY($3::uuid[])) ORDER BY t.ocr_id",
         3, 0, 0},
    /* $1 apps. 0 jobs, 1 processing, 2 scheduled, 3 completed, 4 failed (jobs past retention left out) */
    [DB_RGN_OCR_COUNTS] =
        {"ocr_counts",
         "SELECT count(*), count(*) FILTER (WHERE status = 'processing'),"
         " count(*) FILTER (WHERE status = 'scheduled'),"
         " count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed')"
         " FROM jobs WHERE app_id = ANY($1::uuid[]) AND purged_at IS NULL",
         1, 0, 0},
    /* $1 job, $2 the template's Id. A job row. */
    [DB_RGN_OCR_SET_TEMPLATE] =
        {"ocr_set_template",
         "UPDATE jobs j SET ocr_template_id = $2::bigint WHERE job_id = $1::uuid RETURNING 'job', j.job_id, "
         "j.app_id,"
         " job_json(j), j.ocr_id, j.ocr_template_id, ocr_barcodes(j.job_id), j.status",
         2, 0, 0},
};

void db_copy_error(const char *msg, char *err, size_t errlen)
{
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        --n;
    snprintf(err, errlen, "%.*s", (int)n, msg);
}

PGconn *db_connect(const char *dsn, char *err, size_t errlen)
{
    PGconn *conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK) {
        db_copy_error(PQerrorMessage(conn), err, errlen);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

void db__param_formats(const db_stmt_t *s, int *formats)
{
    for (int i = 0; i < s->nparams; ++i)
        formats[i] = (s->binary_params >> i) & 1;
}

PGresult *db_exec(PGconn *conn, db_stmt_id_t id, const char *const *params, char *err, size_t errlen)
{
    return db_exec_bin(conn, id, params, NULL, err, errlen);
}

PGresult *db_exec_bin(PGconn *conn, db_stmt_id_t id, const char *const *params, const int *lengths, char *err,
                      size_t errlen)
{
    const db_stmt_t *s = &db_stmts[id];
    int formats[32];
    db__param_formats(s, formats);
    PGresult *res = PQexecParams(conn, s->sql, s->nparams, NULL, params, lengths,
                                 s->binary_params ? formats : NULL, s->binary_result);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    db_copy_error(res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn), err, errlen);
    PQclear(res);
    return NULL;
}

PGresult *db_exec_prepared(PGconn *conn, db_stmt_id_t id, unsigned char *prepared, const char *const *params,
                           const int *lengths, char *err, size_t errlen)
{
    const db_stmt_t *s = &db_stmts[id];
    if (!prepared[id]) {
        /* Protocol-level prepared statements belong to the session: a rolled-back transaction keeps them. */
        PGresult *p = PQprepare(conn, s->name, s->sql, s->nparams, NULL);
        int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
        if (!ok)
            db_copy_error(p != NULL ? PQresultErrorMessage(p) : PQerrorMessage(conn), err, errlen);
        PQclear(p);
        if (!ok)
            return NULL;
        prepared[id] = 1;
    }
    int formats[32];
    db__param_formats(s, formats);
    PGresult *res = PQexecPrepared(conn, s->name, s->nparams, params, lengths,
                                   s->binary_params ? formats : NULL, s->binary_result);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    db_copy_error(res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn), err, errlen);
    PQclear(res);
    return NULL;
}

int db_exec_simple(PGconn *conn, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int ret = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (ret != 0)
        db_copy_error(res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn), err, errlen);
    PQclear(res);
    return ret;
}

int db_begin(PGconn *conn, char *err, size_t errlen)
{
    return db_exec_simple(conn, "BEGIN", err, errlen);
}

int db_commit(PGconn *conn, char *err, size_t errlen)
{
    return db_exec_simple(conn, "COMMIT", err, errlen);
}

void db_rollback(PGconn *conn)
{
    PQclear(PQexec(conn, "ROLLBACK"));
}

int db_async_commit(PGconn *conn, char *err, size_t errlen)
{
    return db_exec_simple(conn, "SET synchronous_commit = off", err, errlen);
}
