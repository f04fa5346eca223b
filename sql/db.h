/*
 * db: the SQL statements of ocrgate and the blocking libpq helpers used by the CLI and by the job runner
 * (jobs/). Every statement the program runs is a row of db_stmts (db.c), named by a db_stmt_id_t and always
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
    DB_CAT_APP_CREATE_AS,
    DB_CAT_APP_UPDATE_AS,
    DB_CAT_APP_DELETE_AS,
    DB_CAT_APP_EXISTS,
    DB_CAT_ADMIN_KEY_ROTATE_AS,
    DB_CAT_ADMIN_KEY_CURRENT,
    /* catalog replication: slots on the primary, the subscription and its lag on a region's replica */
    DB_REPL_SLOT_CREATE,
    DB_REPL_SLOTS,
    DB_REPL_SUBSCRIBE,
    DB_REPL_LAG,
    /* region */
    DB_RGN_QUOTA_LEASE,
    DB_RGN_QUOTA_RETURN,
    DB_RGN_QUOTA_USED,
    DB_RGN_QUOTA_SWEEP,
    /* region: jobs, gateway side */
    DB_RGN_JOB_CREATE,
    DB_RGN_IDEM_GET,
    DB_RGN_JOB_GET,
    DB_RGN_JOB_LIST,
    DB_RGN_JOB_UPLOAD,
    DB_RGN_JOB_PATCH,
    DB_RGN_JOB_SCHEDULE,
    DB_RGN_JOB_CANCEL,
    DB_RGN_JOB_DELETE,
    DB_RGN_JOB_OUTPUT,
    DB_RGN_PAGE_RESULT,
    DB_RGN_PAGE_LIST,
    DB_RGN_JOB_BARCODES,
    DB_RGN_PAGE_IMAGE,
    /* region: jobs, worker side */
    DB_RGN_JOB_CLAIM,
    DB_RGN_JOB_RENEW,
    DB_RGN_JOB_DOCUMENT,
    DB_RGN_JOB_SINGLE,
    DB_RGN_PAGE_STORE,
    DB_RGN_JOB_PAGES_ALL,
    DB_RGN_JOB_PAGE_IMAGES,
    DB_RGN_JOB_PAGE_PDFS,
    DB_RGN_JOB_PAGE_PDFS_DROP,
    DB_RGN_OUTPUT_STORE,
    DB_RGN_JOB_FINISH,
    DB_RGN_REQUEUE_EXPIRED,
    DB_RGN_REQUEUE_MINE,
    DB_RGN_FAIL_EXHAUSTED,
    DB_RGN_PURGE_EXPIRED,
    DB_RGN_IDEM_SWEEP,
    /* region: page tasks (page-parallel runs) */
    DB_RGN_JOB_SEED,
    DB_RGN_TASK_CLAIM,
    DB_RGN_TASK_RENEW,
    DB_RGN_TASK_STORE,
    DB_RGN_TASK_FINISH,
    DB_RGN_TASK_REQUEUE_EXPIRED,
    DB_RGN_TASK_TIDY,
    DB_RGN_TURN_REPAIR,
    DB_RGN_WORK_LISTEN,
    /* region: analytics, templates, information */
    DB_RGN_USAGE_FLUSH,
    DB_RGN_USAGE_JOB,
    DB_RGN_USAGE_QUERY,
    DB_RGN_TPL_CREATE,
    DB_RGN_TPL_LIST,
    DB_RGN_TPL_GET,
    DB_RGN_TPL_UPDATE,
    DB_RGN_TPL_DELETE,
    DB_RGN_STATS,
    DB_RGN_SERVERLOAD,
    DB_RGN_LOAD,
    DB_RGN_JOB_COUNTS_FOLD,
    /* region: webhooks (webhooks/ and gateway/gw_webhooks.c) */
    DB_RGN_WH_CREATE,
    DB_RGN_WH_LIST,
    DB_RGN_WH_UPDATE,
    DB_RGN_WH_DELETE,
    DB_RGN_WH_ROTATE,
    DB_RGN_WH_TEST,
    DB_RGN_WH_DELIVERIES,
    DB_RGN_WH_LISTEN,
    DB_RGN_WH_CLAIM,
    DB_RGN_WH_RESULT,
    DB_RGN_WH_REQUEUE_MINE,
    DB_RGN_WH_SWEEP,
    /* region: the compat surfaces of gateway/compat/ (processes, task status, per-result, synchronous) */
    DB_CX_JOB_GET,
    DB_CX_LISTEN,
    /* either database: what `ocrgate check` reads */
    DB_MIGRATIONS_TABLE,
    DB_MIGRATIONS_APPLIED,
    DB_RGN_TPL_LANGUAGES,
    /* the ownOCR surface (gateway/compat/) */
    DB_RGN_OCR_RESOLVE,
    DB_RGN_OCR_QUERY,
    DB_RGN_OCR_TEMPLATES,
    DB_RGN_OCR_COUNTS,
    DB_RGN_OCR_SET_TEMPLATE,
    DB_STMT_COUNT
} db_stmt_id_t;

typedef struct {
    const char *name;
    const char *sql;
    int nparams;
    unsigned binary_params; /* bit i set: parameter $i+1 is sent in binary (bytea) with an explicit length */
    int binary_result;      /* results come in binary format (for bytea columns; text columns read as-is) */
} db_stmt_t;

extern const db_stmt_t db_stmts[DB_STMT_COUNT];

/* Connects (blocking); NULL with a sentence in err on failure. */
PGconn *db_connect(const char *dsn, char *err, size_t errlen);
/* Runs a statement with text parameters (NULL = SQL NULL), blocking. Returns the result when its status is
 * COMMAND_OK or TUPLES_OK (the caller PQclear()s it), else NULL with the server's message in err. */
PGresult *db_exec(PGconn *conn, db_stmt_id_t id, const char *const *params, char *err, size_t errlen);
/* The same with lengths for the binary parameters (lengths may be NULL when the statement has none). */
PGresult *db_exec_bin(PGconn *conn, db_stmt_id_t id, const char *const *params, const int *lengths, char *err,
                      size_t errlen);
/* The same as a prepared statement of the session: parsed (and, once PostgreSQL settles on a generic plan,
 * planned) once per connection rather than per call. prepared[id] says whether this connection has it; the
 * caller owns the DB_STMT_COUNT flags and zeroes them whenever it opens a new connection. For connections
 * that run the same statements all day (the job workers). */
PGresult *db_exec_prepared(PGconn *conn, db_stmt_id_t id, unsigned char *prepared, const char *const *params,
                           const int *lengths, char *err, size_t errlen);
/* Transaction control and session settings, for blocking connections. */
__attribute__((warn_unused_result)) int db_begin(PGconn *conn, char *err, size_t errlen);
__attribute__((warn_unused_result)) int db_commit(PGconn *conn, char *err, size_t errlen);
void db_rollback(PGconn *conn);
/* Commits of this session stop waiting for the disk (see the worker for why that is safe there). */
__attribute__((warn_unused_result)) int db_async_commit(PGconn *conn, char *err, size_t errlen);
/* Runs plain SQL without parameters (BEGIN, COMMIT, migrations); 0 or -1 with err. */
__attribute__((warn_unused_result)) int db_exec_simple(PGconn *conn, const char *sql, char *err,
                                                       size_t errlen);
/* Fills libpq paramFormats from the statement (internal to sql/). */
void db__param_formats(const db_stmt_t *s, int *formats);
/* Copies the libpq error message without its trailing newline. */
void db_copy_error(const char *msg, char *err, size_t errlen);

#endif
