/*
 * bench_claim: the cost of the fair claim (DB_RGN_TASK_CLAIM, task_claim in sql/region/013) on a full queue
 * of pages, against the first-come job claim (DB_RGN_JOB_CLAIM) on a queue of as many jobs, in the same run
 * and database. Fills the region database given by its conninfo (migrated, no node running on it) with N
 * queued pages across L licenses (two apps each, one job per app) and N scheduled jobs of other licenses;
 * claims those jobs with 1 and with C concurrent claimers, each on its own connection, drops them, then
 * claims the pages the same way. Prints claim latency (median, p99), claims per second, the fair claim's
 * "busy" answers (a claimer skipped a turn another one held: a worker claims again at once), the ratio to the
 * baseline, and EXPLAIN ANALYZE of the claim's statements (auto_explain, nested).
 *
 * Usage: bench_claim CONNINFO [pages=100000] [licenses=1000] [claimers=8] [claims per claimer=500]
 * Threads: one per claimer, each with its own connection.
 */
#include "sql/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *conninfo;
    db_stmt_id_t stmt;
    int claims, index;
    double *ms; /* claims entries */
    int got, busy;
} claimer_t;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void must(PGconn *c, const char *sql)
{
    char err[512];
    if (db_exec_simple(c, sql, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_claim: %s\n", err);
        exit(1);
    }
}

static void *claimer_main(void *arg)
{
    claimer_t *c = arg;
    char err[512], owner[64];
    PGconn *conn = db_connect(c->conninfo, err, sizeof(err));
    if (conn == NULL) {
        fprintf(stderr, "bench_claim: %s\n", err);
        return NULL;
    }
    snprintf(owner, sizeof(owner), "bench/%d", c->index);
    const char *p[2] = {owner, "600"};
    for (int i = 0; i < c->claims; ++i) {
        double t0 = now_ms();
        PGresult *r = db_exec(conn, c->stmt, p, err, sizeof(err));
        c->ms[i] = now_ms() - t0;
        if (r == NULL) {
            fprintf(stderr, "bench_claim: %s\n", err);
            break;
        }
        /* A row with a NULL job is the fair claim's "busy, claim again" (a worker claims again at once). */
        if (PQntuples(r) > 0 && PQgetisnull(r, 0, 0))
            ++c->busy;
        else
            c->got += PQntuples(r);
        PQclear(r);
    }
    PQfinish(conn);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    double median, p99, per_s;
    int got, busy;
} figures_t;

static figures_t run(const char *conninfo, db_stmt_id_t stmt, int nclaimers, int claims)
{
    claimer_t *c = calloc((size_t)nclaimers, sizeof(*c));
    pthread_t *t = calloc((size_t)nclaimers, sizeof(*t));
    double *all = calloc((size_t)nclaimers * (size_t)claims, sizeof(double));
    double t0 = now_ms();
    for (int i = 0; i < nclaimers; ++i) {
        c[i] = (claimer_t){conninfo, stmt, claims, i, all + (size_t)i * (size_t)claims, 0, 0};
        pthread_create(&t[i], NULL, claimer_main, &c[i]);
    }
    figures_t f = {0};
    for (int i = 0; i < nclaimers; ++i) {
        pthread_join(t[i], NULL);
        f.got += c[i].got;
        f.busy += c[i].busy;
    }
    double wall = now_ms() - t0;
    size_t n = (size_t)nclaimers * (size_t)claims;
    qsort(all, n, sizeof(double), cmp);
    f.median = all[n / 2];
    f.p99 = all[n * 99 / 100];
    f.per_s = (double)f.got * 1000.0 / wall;
    free(all);
    free(t);
    free(c);
    return f;
}

static void fill(PGconn *c, int pages, int licenses)
{
    char sql[4096];
    int per_job = pages / (licenses * 2);
    must(c, "TRUNCATE jobs, job_tasks, license_turns, app_turns CASCADE");
    /* One job per app, two apps per license; each job has per_job queued page tasks. */
    snprintf(sql, sizeof(sql),
             "INSERT INTO jobs (job_id, license_id, app_id, status, options, max_attempts, max_pages,"
             " max_pixels, expires_at, pages_left, pages_selected, doc_pages)"
             " SELECT gen_random_uuid(), md5('l' || (g / 2))::uuid, md5('a' || g)::uuid, 'processing',"
             " '{\"outputs\":[\"text\"]}', 3, 500, 100000000, now() + interval '1 day', %d, %d, %d"
             " FROM generate_series(0, %d) g",
             per_job, per_job, per_job, licenses * 2 - 1);
    must(c, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO job_tasks (job_id, page, license_id, app_id, seq)"
             " SELECT j.job_id, p, j.license_id, j.app_id, nextval('job_turn') FROM jobs j,"
             " generate_series(1, %d) p WHERE j.status = 'processing'",
             per_job);
    must(c, sql);
    must(c, "INSERT INTO license_turns (license_id) SELECT DISTINCT license_id FROM jobs");
    must(c, "INSERT INTO app_turns (app_id, license_id) SELECT app_id, license_id FROM jobs");
    /* The baseline's queue: as many scheduled jobs as there are queued pages, of licenses and apps of their
     * own (dropped before the fair claims run: the fair claim would prepare them first, its own kind of
     * step). */
    snprintf(sql, sizeof(sql),
             "INSERT INTO jobs (job_id, license_id, app_id, status, options, max_attempts, max_pages,"
             " max_pixels, expires_at, scheduled_at)"
             " SELECT gen_random_uuid(), md5('bl' || (g %% %d))::uuid, md5('ba' || (g %% %d))::uuid,"
             " 'scheduled', '{\"outputs\":[\"text\"]}', 3, 500, 100000000, now() + interval '1 day',"
             " now() + g * interval '1 microsecond' FROM generate_series(1, %d) g",
             licenses, licenses * 2, per_job * licenses * 2);
    must(c, sql);
    must(c, "ANALYZE");
}

/* The baseline's jobs and the turns their scheduling gave their licenses and apps. */
static void drop_baseline(PGconn *c)
{
    must(c, "DELETE FROM app_turns WHERE app_id IN (SELECT app_id FROM jobs WHERE pages_left IS NULL)");
    must(c, "DELETE FROM license_turns WHERE license_id IN (SELECT license_id FROM jobs WHERE pages_left IS "
            "NULL)");
    must(c, "DELETE FROM jobs WHERE pages_left IS NULL");
    must(c, "VACUUM ANALYZE jobs, license_turns, app_turns");
    must(c, "CHECKPOINT"); /* the deletion's writes settled before the fair claims are timed */
}

static void notice(void *arg, const char *msg)
{
    (void)arg;
    fputs(msg, stdout);
}

static void explain(PGconn *c)
{
    PQsetNoticeProcessor(c, notice, NULL);
    must(c, "LOAD 'auto_explain'");
    must(c, "SET auto_explain.log_min_duration = 0");
    must(c, "SET auto_explain.log_analyze = on");
    must(c, "SET auto_explain.log_nested_statements = on");
    must(c, "SET auto_explain.log_timing = on");
    must(c, "SET client_min_messages = log");
    char err[512];
    const char *p[2] = {"bench/explain", "600"};
    printf("EXPLAIN ANALYZE of one claim (auto_explain, nested statements of task_claim):\n");
    PQclear(db_exec(c, DB_RGN_TASK_CLAIM, p, err, sizeof(err)));
    must(c, "SET client_min_messages = notice");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_claim CONNINFO [pages] [licenses] [claimers] [claims per claimer]\n");
        return 2;
    }
    const char *ci = argv[1];
    int pages = argc > 2 ? atoi(argv[2]) : 100000, licenses = argc > 3 ? atoi(argv[3]) : 1000;
    int claimers = argc > 4 ? atoi(argv[4]) : 8, claims = argc > 5 ? atoi(argv[5]) : 500;
    char err[512];
    PGconn *c = db_connect(ci, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "bench_claim: %s\n", err);
        return 1;
    }
    double t0 = now_ms();
    fill(c, pages, licenses);
    printf("queue: %d page tasks across %d licenses (2 apps each), and %d scheduled jobs for the baseline;"
           " filled in %.1f s\n",
           pages, licenses, pages, (now_ms() - t0) / 1000.0);
    printf("%-44s %10s %10s %10s %8s %6s\n", "claim", "median ms", "p99 ms", "claims/s", "claimed", "busy");
    figures_t f[4];
    struct {
        const char *name;
        db_stmt_id_t stmt;
        int n;
    } runs[4] = {{"first-come job claim (baseline), 1 claimer", DB_RGN_JOB_CLAIM, 1},
                 {"first-come job claim (baseline), N claimers", DB_RGN_JOB_CLAIM, claimers},
                 {"fair page claim, 1 claimer", DB_RGN_TASK_CLAIM, 1},
                 {"fair page claim, N claimers", DB_RGN_TASK_CLAIM, claimers}};
    for (int i = 0; i < 4; ++i) {
        if (i == 2)
            drop_baseline(c);
        f[i] = run(ci, runs[i].stmt, runs[i].n, runs[i].n == 1 ? claims * 2 : claims);
        char name[64];
        snprintf(name, sizeof(name), "%s", runs[i].name);
        char *nn = strstr(name, "N claimers");
        if (nn != NULL)
            snprintf(nn, sizeof(name) - (size_t)(nn - name), "%d claimers", claimers);
        printf("%-44s %10.2f %10.2f %10.0f %8d %6d\n", name, f[i].median, f[i].p99, f[i].per_s, f[i].got,
               f[i].busy);
    }
    printf(
        "ratio fair/baseline: median %.2fx (1 claimer), %.2fx (%d claimers); claims/s %.2fx (%d claimers)\n",
        f[2].median / f[0].median, f[3].median / f[1].median, claimers, f[3].per_s / f[1].per_s, claimers);
    printf("target: fair claim median and p99 <= 5 ms with %d claimers: %s\n", claimers,
           f[3].median <= 5 && f[3].p99 <= 5 ? "met" : "NOT met");
    explain(c);
    PQfinish(c);
    return 0;
}
