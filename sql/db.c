#include "sql/db.h"

#include <stdio.h>
#include <string.h>

/* Column lists are part of the contract with the code that reads them by index: keep them in step. */
const db_stmt_t db_stmts[DB_STMT_COUNT] = {
    [DB_PING] = {"ping", "SELECT 1", 0},

    /* 0 license_id, 1 region, 2 status, 3 expires_at epoch (or NULL), 4 tier, 5 hourly_quota, 6 max_file_bytes,
     * 7 max_pages, 8 max_pixels, 9 max_retention_days, 10 page_timeout_ms, 11 max_attempts, 12 enabled,
     * 13 deleted */
    [DB_CAT_AUTH_PAIR] = {"auth_pair",
                          "SELECT l.license_id, l.region, l.status, extract(epoch FROM l.expires_at)::bigint, l.tier,"
                          " t.hourly_quota, t.max_file_bytes, t.max_pages, t.max_pixels, t.max_retention_days,"
                          " t.page_timeout_ms, t.max_attempts, a.enabled, a.deleted_at IS NOT NULL"
                          " FROM apps a JOIN licenses l ON l.license_id = a.license_id JOIN tiers t ON t.name = l.tier"
                          " WHERE a.app_id = $1::uuid AND a.license_id = $2::uuid",
                          2},
    /* 0 admin_key_hash (hex), 1 region, 2 status, 3 expires_at epoch, 4 tier, 5 hourly_quota, 6..11 as above */
    [DB_CAT_AUTH_ADMIN] = {"auth_admin",
                           "SELECT encode(l.admin_key_hash, 'hex'), l.region, l.status,"
                           " extract(epoch FROM l.expires_at)::bigint, l.tier, t.hourly_quota, t.max_file_bytes,"
                           " t.max_pages, t.max_pixels, t.max_retention_days, t.page_timeout_ms, t.max_attempts"
                           " FROM licenses l JOIN tiers t ON t.name = l.tier WHERE l.license_id = $1::uuid",
                           1},
    [DB_CAT_SET_ACTOR] = {"set_actor", "SELECT set_config('ocrgate.actor', $1, true)", 1},

    [DB_CAT_TIER_CREATE] = {"tier_create",
                            "INSERT INTO tiers (name, hourly_quota, max_file_bytes, max_pages, max_pixels,"
                            " max_retention_days, page_timeout_ms, max_attempts)"
                            " VALUES ($1, $2, coalesce($3::bigint, 52428800), coalesce($4::int, 500),"
                            " coalesce($5::bigint, 100000000), coalesce($6::int, 30), coalesce($7::int, 60000),"
                            " coalesce($8::int, 3)) RETURNING name",
                            8},
    [DB_CAT_TIER_SET] = {"tier_set",
                         "UPDATE tiers SET hourly_quota = coalesce($2::int, hourly_quota),"
                         " max_file_bytes = coalesce($3::bigint, max_file_bytes),"
                         " max_pages = coalesce($4::int, max_pages), max_pixels = coalesce($5::bigint, max_pixels),"
                         " max_retention_days = coalesce($6::int, max_retention_days),"
                         " page_timeout_ms = coalesce($7::int, page_timeout_ms),"
                         " max_attempts = coalesce($8::int, max_attempts), updated_at = now()"
                         " WHERE name = $1 RETURNING name",
                         8},
    [DB_CAT_TIER_LIST] = {"tier_list",
                          "SELECT name, hourly_quota, max_file_bytes, max_pages, max_pixels, max_retention_days,"
                          " page_timeout_ms, max_attempts FROM tiers ORDER BY name",
                          0},

    [DB_CAT_LICENSE_CREATE] = {"license_create",
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
    /* 0 license_id, 1 name, 2 region, 3 tier, 4 status, 5 expires_at (ISO), 6 effective status, 7 hourly_quota,
     * 8 created_at */
    [DB_CAT_LICENSE_SHOW] = {"license_show",
                             "SELECT l.license_id, l.name, l.region, l.tier, l.status,"
                             " to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                             " CASE WHEN l.status = 'active' AND l.expires_at <= now() THEN 'expired' ELSE l.status END,"
                             " t.hourly_quota,"
                             " to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                             " FROM licenses l JOIN tiers t ON t.name = l.tier WHERE l.license_id = $1::uuid",
                             1},
    [DB_CAT_LICENSE_LIST] = {"license_list",
                             "SELECT l.license_id, l.name, l.region, l.tier, l.status,"
                             " to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                             " CASE WHEN l.status = 'active' AND l.expires_at <= now() THEN 'expired' ELSE l.status END,"
                             " t.hourly_quota,"
                             " to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                             " FROM licenses l JOIN tiers t ON t.name = l.tier"
                             " WHERE $1::text IS NULL OR l.region = $1 ORDER BY l.created_at, l.license_id",
                             1},

    [DB_CAT_APP_CREATE] = {"app_create",
                           "INSERT INTO apps (license_id, name) VALUES ($1::uuid, $2) RETURNING app_id",
                           2},
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
    [DB_CAT_APP_LIST] = {"app_list",
                         "SELECT app_id, name, enabled,"
                         " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                         " FROM apps WHERE license_id = $1::uuid AND deleted_at IS NULL ORDER BY created_at, app_id",
                         1},
    [DB_CAT_LISTEN] = {"listen", "LISTEN ocrgate_catalog", 0},

    /* $1 license, $2 window start (epoch seconds), $3 limit. Returns the new count, or no row when the window is
     * full: one atomic statement, exact across every node sharing the database. */
    [DB_RGN_QUOTA_TAKE] = {"quota_take",
                           "INSERT INTO quota_windows AS q (license_id, window_start, used)"
                           " VALUES ($1::uuid, to_timestamp($2::bigint), 1)"
                           " ON CONFLICT (license_id, window_start) DO UPDATE SET used = q.used + 1"
                           " WHERE q.used < $3::int RETURNING used",
                           3},
    [DB_RGN_QUOTA_USED] = {"quota_used",
                           "SELECT coalesce((SELECT used FROM quota_windows WHERE license_id = $1::uuid"
                           " AND window_start = to_timestamp($2::bigint)), 0)",
                           2},
    [DB_RGN_QUOTA_SWEEP] = {"quota_sweep", "DELETE FROM quota_windows WHERE window_start < to_timestamp($1::bigint)",
                            1},
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

PGresult *db_exec(PGconn *conn, db_stmt_id_t id, const char *const *params, char *err, size_t errlen)
{
    const db_stmt_t *s = &db_stmts[id];
    PGresult *res = PQexecParams(conn, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
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
