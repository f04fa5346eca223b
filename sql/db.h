/*
 * db: the SQL statements of ocrgate and the blocking libpq helpers used by the CLI and by engine worker
 * threads. Every statement the program runs is a row of db_stmts (db.c), named by a db_stmt_id_t and always
 * sent with parameters ($1...), never with input spliced into the text.
 *
 * Blocking calls here must never run on an event-loop thread; the loop uses db_async.h.
 */
#ifndef OCRGATE_DB_H
#define OCRGATE_DB_H

#include <libpq-fe.h>
#include <stddef.h>

typedef enum {
    DB_PING,
    /* catalog */
    DB_CAT_AUTH_PAIR,
    DB_CAT_AUTH_ADMIN,
    DB_CAT_SET_ACTOR,
    DB_CAT_TIER_CREATE,
    DB_CAT_TIER_SET,
    DB_CAT_TIER_LIST,
    DB_CAT_LICENSE_CREATE,
    DB_CAT_LICENSE_SET_STATUS,
    DB_CAT_LICENSE_SET_REGION,
    DB_CAT_LICENSE_SET_TIER,
    DB_CAT_LICENSE_SET_EXPIRY,
    DB_CAT_LICENSE_SET_KEY,
    DB_CAT_LICENSE_SHOW,
    DB_CAT_LICENSE_LIST,
    DB_CAT_APP_CREATE,
    DB_CAT_APP_SET_ENABLED,
    DB_CAT_APP_RENAME,
    DB_CAT_APP_DELETE,
    DB_CAT_APP_LIST,
    DB_CAT_LISTEN,
    /* region */
    DB_RGN_QUOTA_TAKE,
    DB_RGN_QUOTA_USED,
    DB_RGN_QUOTA_SWEEP,
    DB_STMT_COUNT
} db_stmt_id_t;

typedef struct {
    const char *name;
    const char *sql;
    int nparams;
} db_stmt_t;

extern const db_stmt_t db_stmts[DB_STMT_COUNT];

/* Connects (blocking); NULL with a sentence in err on failure. */
PGconn *db_connect(const char *dsn, char *err, size_t errlen);
/* Runs a statement with text parameters (NULL = SQL NULL), blocking. Returns the result when its status is
 * COMMAND_OK or TUPLES_OK (the caller PQclear()s it), else NULL with the server's message in err. */
PGresult *db_exec(PGconn *conn, db_stmt_id_t id, const char *const *params, char *err, size_t errlen);
/* Runs plain SQL without parameters (BEGIN, COMMIT, migrations); 0 or -1 with err. */
__attribute__((warn_unused_result)) int db_exec_simple(PGconn *conn, const char *sql, char *err, size_t errlen);
/* Copies the libpq error message without its trailing newline. */
void db_copy_error(const char *msg, char *err, size_t errlen);

#endif
