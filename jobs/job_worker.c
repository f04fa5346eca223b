/* The statement runner of a worker (see job_worker.h). */
#include "jobs/job_worker.h"
#include "engine/eng_pdf_in.h"
#include "jobs/job_log.h"

#include <string.h>

PGresult *job_exec(job_worker_t *wk, db_stmt_id_t id, const char *const *params, const int *lengths)
{
    char err[512];
    if (wk->conn == NULL)
        return NULL;
    PGresult *res = db_exec_prepared(wk->conn, id, wk->prepared, params, lengths, err, sizeof(err));
    if (res == NULL) {
        job_log("warn", "worker %d: %s: %s", wk->index, db_stmts[id].name, err);
        if (PQstatus(wk->conn) != CONNECTION_OK) {
            PQfinish(wk->conn);
            wk->conn = NULL;
            memset(wk->prepared, 0, sizeof(wk->prepared));
            wk->lost_db = 1;
        }
    }
    return res;
}

void job_worker_forget_doc(job_worker_t *wk)
{
    eng_pdfin_close(wk->doc_pdf); /* first: it reads the bytes */
    wk->doc_pdf = NULL;
    PQclear(wk->doc);
    wk->doc = NULL;
    wk->doc_job[0] = '\0';
}
