/* The statement runner of a worker (see job_worker.h). */
#include "jobs/job_worker.h"
#include "jobs/job_log.h"

PGresult *job_exec(job_worker_t *wk, db_stmt_id_t id, const char *const *params, const int *lengths)
{
    char err[512];
    if (wk->conn == NULL)
        return NULL;
    PGresult *res = db_exec_bin(wk->conn, id, params, lengths, err, sizeof(err));
    if (res == NULL) {
        job_log("warn", "worker %d: %s: %s", wk->index, db_stmts[id].name, err);
        if (PQstatus(wk->conn) != CONNECTION_OK) {
            PQfinish(wk->conn);
            wk->conn = NULL;
            wk->lost_db = 1;
        }
    }
    return res;
}
