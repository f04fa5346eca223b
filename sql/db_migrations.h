/*
 * db_migrations: the numbered SQL migrations of the catalog (primary), region and catalog-replica databases,
 * embedded into the binary at build time (cmake/embed_sql.cmake), and the runner behind `ocrgate migrate`.
 */
#ifndef OCRGATE_DB_MIGRATIONS_H
#define OCRGATE_DB_MIGRATIONS_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct {
    const char *name; /* e.g. "001_tenancy.sql"; NULL ends the list */
    const char *sql;
} db_migration_t;

extern const db_migration_t db_catalog_migrations[];
extern const db_migration_t db_region_migrations[];
/* The catalog replica of a region cluster (sql/replica): the published tables and their NOTIFY triggers. */
extern const db_migration_t db_replica_migrations[];

/* Applies every migration not yet recorded in schema_migrations, each in its own transaction, under an
 * advisory lock so that concurrent runs wait for each other. `applied` counts the new ones. */
__attribute__((warn_unused_result)) int db_migrate(PGconn *conn, const db_migration_t *list, int *applied,
                                                   char *err, size_t errlen);

/* Counts the migrations of `list` that conn's database has not recorded and names them, joined by ", ", in
 * `missing` (truncated to its length). For `ocrgate check`; changes nothing. */
__attribute__((warn_unused_result)) int db_migrations_missing(PGconn *conn, const db_migration_t *list,
                                                              int *nmissing, char *missing, size_t missinglen,
                                                              char *err, size_t errlen);

#endif
