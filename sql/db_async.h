/*
 * db_async: non-blocking libpq on an h2o event loop.
 *
 * A db_pool_t belongs to one loop thread and must only be used from it. It keeps a few connections to one
 * database, connects and reconnects them without blocking (PQconnectStart/PQconnectPoll, backoff), and runs
 * queued statements one per connection with PQsendQueryParams. Callbacks run on the loop thread.
 *
 * A result passed to a callback is owned by the pool and cleared after the callback returns. When the
 * database cannot be reached the callback gets res == NULL and a message; queries then fail fast (the caller
 * answers 503) instead of piling up.
 */
#ifndef OCRGATE_DB_ASYNC_H
#define OCRGATE_DB_ASYNC_H

#include <h2o.h>
#include <libpq-fe.h>

#include "sql/db.h"

typedef struct db_pool db_pool_t;
typedef void (*db_cb_t)(void *arg, PGresult *res, const char *errmsg);
typedef void (*db_notify_cb_t)(void *arg, const char *channel, const char *payload);
typedef void (*db_reconnect_cb_t)(void *arg);

db_pool_t *db_pool_create(h2o_loop_t *loop, const char *dsn, int nconns);
void db_pool_destroy(db_pool_t *pool);
/* Queues a statement; params are copied. The callback runs exactly once (possibly before this returns when
 * the pool knows the database is down). */
void db_pool_query(db_pool_t *pool, db_stmt_id_t id, const char *const *params, db_cb_t cb, void *arg);
/* The same with lengths for the statement's binary parameters. */
void db_pool_query_bin(db_pool_t *pool, db_stmt_id_t id, const char *const *params, const int *lengths,
                       db_cb_t cb, void *arg);
/* Number of connections ready for queries now. */
int db_pool_ready(const db_pool_t *pool);
/* Makes the pool's first connection a listener: runs `LISTEN` after every (re)connect and reports each
 * notification; on_reconnect runs after every reconnect so that callers can drop state they may have missed.
 */
void db_pool_listen(db_pool_t *pool, db_notify_cb_t on_notify, db_reconnect_cb_t on_reconnect, void *arg);
/* Queries waiting or running, for draining on shutdown. */
int db_pool_pending(const db_pool_t *pool);

#endif
