#include "sql/db_migrations.h"
#include "sql/db.h"

#include <stdio.h>
#include <string.h>

/* Bootstrap statements of the runner itself; the migrations they apply are the embedded files. */
static const char *const MIGRATE_BOOTSTRAP = "CREATE TABLE IF NOT EXISTS schema_migrations (name text "
                                             "PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";
static const char *const MIGRATE_LOCK = "SELECT pg_advisory_lock(7041977)";
static const char *const MIGRATE_UNLOCK = "SELECT pg_advisory_unlock(7041977)";
static const char *const MIGRATE_SEEN = "SELECT 1 FROM schema_migrations WHERE name = $1";
static const char *const MIGRATE_RECORD = "INSERT INTO schema_migrations (name) VALUES ($1)";

static int run_one(PGconn *conn, const db_migration_t *m, int *applied, char *err, size_t errlen)
{
    const char *params[1] = {m->name};
    char msg[512];
    PGresult *res = PQexecParams(conn, MIGRATE_SEEN, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_copy_error(PQresultErrorMessage(res), msg, sizeof(msg));
        snprintf(err, errlen, "%s: %s", m->name, msg);
        PQclear(res);
        return -1;
    }
    int seen = PQntuples(res) > 0;
    PQclear(res);
    if (seen)
        return 0;
    if (db_exec_simple(conn, "BEGIN", msg, sizeof(msg)) != 0 ||
        db_exec_simple(conn, m->sql, msg, sizeof(msg)) != 0)
        goto Fail;
    res = PQexecParams(conn, MIGRATE_RECORD, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        db_copy_error(PQresultErrorMessage(res), msg, sizeof(msg));
        PQclear(res);
        goto Fail;
    }
    PQclear(res);
    if (db_exec_simple(conn, "COMMIT", msg, sizeof(msg)) != 0)
        goto Fail;
    ++*applied;
    return 0;
Fail:
    snprintf(err, errlen, "%s: %s", m->name, msg);
    PQclear(PQexec(conn, "ROLLBACK"));
    return -1;
}

int db_migrate(PGconn *conn, const db_migration_t *list, int *applied, char *err, size_t errlen)
{
    int ret = -1;
    *applied = 0;
    if (db_exec_simple(conn, "SET client_min_messages = warning", err, errlen) != 0 ||
        db_exec_simple(conn, MIGRATE_LOCK, err, errlen) != 0)
        return -1;
    if (db_exec_simple(conn, MIGRATE_BOOTSTRAP, err, errlen) != 0)
        goto Exit;
    for (const db_migration_t *m = list; m->name != NULL; ++m)
        if (run_one(conn, m, applied, err, errlen) != 0)
            goto Exit;
    ret = 0;
Exit:
    PQclear(PQexec(conn, MIGRATE_UNLOCK));
    return ret;
}

int db_migrations_missing(PGconn *conn, const db_migration_t *list, int *nmissing, char *missing,
                          size_t missinglen, char *err, size_t errlen)
{
    PGresult *table = NULL, *applied = NULL;
    size_t used = 0;
    int ret = -1;
    *nmissing = 0;
    missing[0] = '\0';
    if ((table = db_exec(conn, DB_MIGRATIONS_TABLE, NULL, err, errlen)) == NULL)
        goto Exit;
    if (strcmp(PQgetvalue(table, 0, 0), "t") == 0 &&
        (applied = db_exec(conn, DB_MIGRATIONS_APPLIED, NULL, err, errlen)) == NULL)
        goto Exit;
    for (const db_migration_t *m = list; m->name != NULL; ++m) {
        int seen = 0;
        for (int i = 0; applied != NULL && i < PQntuples(applied) && !seen; ++i)
            seen = strcmp(PQgetvalue(applied, i, 0), m->name) == 0;
        if (seen)
            continue;
        if (used < missinglen) {
            int n = snprintf(missing + used, missinglen - used, "%s%s", *nmissing ? ", " : "", m->name);
            used += n > 0 ? (size_t)n : 0;
        }
        ++*nmissing;
    }
    ret = 0;
Exit:
    PQclear(table);
    PQclear(applied);
    return ret;
}
