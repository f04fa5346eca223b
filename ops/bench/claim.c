/*
 * bench_claim: the cost of the fair claim on a full queue of pages, against the first-come job claim
 * (DB_RGN_JOB_CLAIM) on a queue of as many jobs, in the same run and database. Fills the region database
 * given by its conninfo (migrated, no node running on it) with N queued pages across L licenses (two apps
 * each, one job per app) and N scheduled jobs of other licenses; claims those jobs with 1 and with C
 * concurrent claimers, each on its own connection, drops them, then claims the pages the same way.
 *
 * The fair claim is claimed exactly as a worker claims: job_claim() (jobs/job_run.c, DB_RGN_TASK_CLAIM as a
 * prepared statement of a session connected like a worker's), whose claim commits without waiting for the
 * disk (region migration 016). The baseline's sessions commit the same way (SET synchronous_commit = off), so
 * that the ratio compares the claims, not their commits. Beside them, in the same run, the fair claim as it
 * was before migration 016: the same walk (task_claim_walk) committing synchronously.
 *
 * Prints claim latency (median, p99), claims per second, the fair claim's "busy" answers (a claimer skipped
 * a turn another one held: a worker claims again at once), the server's CPU time per claim (its processes'
 * user + system time, read from /proc: the database must run on this machine, else -1), the load average
 * after each run, the ratios to the baseline, and EXPLAIN ANALYZE of one warm claim's statements
 * (auto_explain, nested). With more claimers than cores, a claim's latency is mostly its wait for a core:
 * claimers x CPU per claim / cores is what a claim waits at least, on a machine with nothing else to run.
 *
 * Usage: bench_claim CONNINFO [pages=100000] [licenses=1000] [claimers=8] [claims per claimer=500]
 * Threads: one per claimer, each with its own connection.
 */
#include "config/cfg.h"
#include "jobs/job_run.h"
#include "jobs/job_worker.h"
#include "sql/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How a run claims: as a worker does (job_claim), the fair walk committing synchronously (before migration
 * 016), or the first-come baseline. */
typedef enum { CLAIM_WORKER, CLAIM_WALK_SYNC, CLAIM_BASELINE } claim_kind_t;

typedef struct {
    const char *conninfo;
    claim_kind_t kind;
    int claims, index;
    double *ms; /* claims entries */
    int got, busy;
    double server_cpu_ms; /* the CPU its server process used for the claims */
} claimer_t;

static const cfg_t bench_cfg = {.job_lease_s = 600};
/* DB_RGN_TASK_CLAIM calling the walk itself, without task_claim's asynchronous commit (made in main). */
static char walk_sql[4096];

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

/* One claim of the run's kind. 1 claimed, 0 nothing, 2 busy, -1 error. */
static int claim_once(claimer_t *c, job_worker_t *wk)
{
    job_t j;
    char err[512];
    const char *p[2] = {wk->owner, "600"};
    PGresult *r = NULL;
    switch (c->kind) {
    case CLAIM_WORKER: {
        int got = job_claim(wk, &j);
        if (wk->conn == NULL)
            return -1;
        return got == JOB_CLAIM_BUSY ? 2 : got != JOB_CLAIM_NONE;
    }
    case CLAIM_WALK_SYNC:
        r = PQexecPrepared(wk->conn, "walk_sync", 2, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "bench_claim: %s\n", PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        break;
    case CLAIM_BASELINE:
        if ((r = db_exec_prepared(wk->conn, DB_RGN_JOB_CLAIM, wk->prepared, p, NULL, err, sizeof(err))) ==
            NULL) {
            fprintf(stderr, "bench_claim: %s\n", err);
            return -1;
        }
        break;
    }
    /* A row with a NULL job is the fair claim's "busy, claim again" (a worker claims again at once). */
    int got = PQntuples(r) == 0 ? 0 : PQgetisnull(r, 0, 0) ? 2 : 1;
    PQclear(r);
    return got;
}

/* The CPU time (user + system) a process of this machine has used, in ms; -1 when it cannot be read. */
static double process_cpu_ms(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* after the command name, which may hold spaces */
    unsigned long long utime, stime;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static void *claimer_main(void *arg)
{
    claimer_t *c = arg;
    char err[512];
    /* Connected as a worker's session is (job_pool.c reconnect: db_connect, nothing set). */
    job_worker_t wk = {.cfg = &bench_cfg, .index = c->index};
    snprintf(wk.owner, sizeof(wk.owner), "bench/%d", c->index);
    if ((wk.conn = db_connect(c->conninfo, err, sizeof(err))) == NULL) {
        fprintf(stderr, "bench_claim: %s\n", err);
        return NULL;
    }
    if (c->kind == CLAIM_BASELINE && db_async_commit(wk.conn, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_claim: %s\n", err);
        exit(1);
    }
    if (c->kind == CLAIM_WALK_SYNC) {
        PGresult *r = PQprepare(wk.conn, "walk_sync", walk_sql, 2, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_claim: %s\n", PQresultErrorMessage(r));
            exit(1);
        }
        PQclear(r);
    }
    long backend = PQbackendPID(wk.conn);
    double cpu0 = process_cpu_ms(backend);
    for (int i = 0; i < c->claims; ++i) {
        double t0 = now_ms();
        int got = claim_once(c, &wk);
        c->ms[i] = now_ms() - t0;
        if (got < 0)
            break;
        c->got += got == 1;
        c->busy += got == 2;
    }
    double cpu1 = process_cpu_ms(backend);
    c->server_cpu_ms = cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
    PQfinish(wk.conn);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    double median, p99, per_s, load;
    double server_cpu_ms; /* per claim, of the server processes (-1: not on this machine) */
    int got, busy;
} figures_t;

static double load1(void)
{
    double l = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf", &l) != 1)
            l = 0;
        fclose(f);
    }
    return l;
}

static figures_t run(const char *conninfo, claim_kind_t kind, int nclaimers, int claims)
{
    claimer_t *c = calloc((size_t)nclaimers, sizeof(*c));
    pthread_t *t = calloc((size_t)nclaimers, sizeof(*t));
    double *all = calloc((size_t)nclaimers * (size_t)claims, sizeof(double));
    double t0 = now_ms();
    for (int i = 0; i < nclaimers; ++i) {
        c[i] = (claimer_t){.conninfo = conninfo,
                           .kind = kind,
                           .claims = claims,
                           .index = i,
                           .ms = all + (size_t)i * (size_t)claims};
        pthread_create(&t[i], NULL, claimer_main, &c[i]);
    }
    figures_t f = {0};
    double cpu = 0;
    for (int i = 0; i < nclaimers; ++i) {
        pthread_join(t[i], NULL);
        f.got += c[i].got;
        f.busy += c[i].busy;
        cpu = cpu < 0 || c[i].server_cpu_ms < 0 ? -1 : cpu + c[i].server_cpu_ms;
    }
    f.server_cpu_ms = cpu < 0 ? -1 : cpu / (double)nclaimers / (double)claims;
    double wall = now_ms() - t0;
    size_t n = (size_t)nclaimers * (size_t)claims;
    qsort(all, n, sizeof(double), cmp);
    f.median = all[n / 2];
    f.p99 = all[n * 99 / 100];
    f.per_s = (double)f.got * 1000.0 / wall;
    f.load = load1();
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

/* One claim as a worker makes it, on a warm session (its plans cached), explained statement by statement. */
static void explain(const char *conninfo)
{
    char err[512];
    job_worker_t wk = {.cfg = &bench_cfg};
    snprintf(wk.owner, sizeof(wk.owner), "bench/explain");
    if ((wk.conn = db_connect(conninfo, err, sizeof(err))) == NULL) {
        fprintf(stderr, "bench_claim: %s\n", err);
        exit(1);
    }
    job_t j;
    for (int i = 0; i < 8; ++i) /* past PostgreSQL's five custom plans of a prepared statement */
        job_claim(&wk, &j);
    PQsetNoticeProcessor(wk.conn, notice, NULL);
    must(wk.conn, "LOAD 'auto_explain'");
    must(wk.conn, "SET auto_explain.log_min_duration = 0");
    must(wk.conn, "SET auto_explain.log_analyze = on");
    must(wk.conn, "SET auto_explain.log_nested_statements = on");
    must(wk.conn, "SET auto_explain.log_timing = on");
    must(wk.conn, "SET client_min_messages = log");
    printf("EXPLAIN ANALYZE of one warm claim as a worker makes it (auto_explain, task_claim's nested "
           "statements):\n");
    job_claim(&wk, &j);
    PQfinish(wk.conn);
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
    const char *claim_sql = db_stmts[DB_RGN_TASK_CLAIM].sql, *call = strstr(claim_sql, "task_claim(");
    if (call == NULL) {
        fprintf(stderr, "bench_claim: DB_RGN_TASK_CLAIM does not call task_claim\n");
        return 1;
    }
    snprintf(walk_sql, sizeof(walk_sql), "%.*stask_claim_walk(%s", (int)(call - claim_sql), claim_sql,
             call + strlen("task_claim("));
    char err[512];
    PGconn *c = db_connect(ci, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "bench_claim: %s\n", err);
        return 1;
    }
    double t0 = now_ms();
    fill(c, pages, licenses);
    printf("queue: %d page tasks across %d licenses (2 apps each), and %d scheduled jobs for the baseline;"
           " filled in %.1f s; %ld cores\n",
           pages, licenses, pages, (now_ms() - t0) / 1000.0, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-52s %9s %9s %9s %8s %6s %6s %6s\n", "claim", "median ms", "p99 ms", "claims/s", "claimed",
           "busy", "cpu ms", "load");
    enum { RUNS = 6 };
    figures_t f[RUNS];
    struct {
        const char *name;
        claim_kind_t kind;
        int n;
    } runs[RUNS] = {{"first-come job claim (baseline), 1 claimer", CLAIM_BASELINE, 1},
                    {"first-come job claim (baseline), N claimers", CLAIM_BASELINE, claimers},
                    {"fair claim, synchronous commit (before), 1 claimer", CLAIM_WALK_SYNC, 1},
                    {"fair claim, synchronous commit (before), N claimers", CLAIM_WALK_SYNC, claimers},
                    {"fair claim as workers claim, 1 claimer", CLAIM_WORKER, 1},
                    {"fair claim as workers claim, N claimers", CLAIM_WORKER, claimers}};
    for (int i = 0; i < RUNS; ++i) {
        if (i == 2)
            drop_baseline(c);
        f[i] = run(ci, runs[i].kind, runs[i].n, runs[i].n == 1 ? claims * 2 : claims);
        char name[80];
        snprintf(name, sizeof(name), "%s", runs[i].name);
        char *nn = strstr(name, "N claimers");
        if (nn != NULL)
            snprintf(nn, sizeof(name) - (size_t)(nn - name), "%d claimers", claimers);
        printf("%-52s %9.2f %9.2f %9.0f %8d %6d %6.3f %6.2f\n", name, f[i].median, f[i].p99, f[i].per_s,
               f[i].got, f[i].busy, f[i].server_cpu_ms, f[i].load);
    }
    PQfinish(c);
    printf("ratio fair/baseline: median %.2fx (1 claimer), %.2fx (%d claimers); p99 %.2fx (%d claimers);"
           " claims/s %.2fx (%d claimers)\n",
           f[4].median / f[0].median, f[5].median / f[1].median, claimers, f[5].p99 / f[1].p99, claimers,
           f[5].per_s / f[1].per_s, claimers);
    printf(
        "ratio after/before (asynchronous/synchronous commit): median %.2fx (1 claimer), %.2fx (%d claimers);"
        " p99 %.2fx; claims/s %.2fx\n",
        f[4].median / f[2].median, f[5].median / f[3].median, claimers, f[5].p99 / f[3].p99,
        f[5].per_s / f[3].per_s);
    printf("target (issue 13): fair claim median <= 5 ms with %d claimers: %s (%.2f ms); p99 <= 5 ms: %s"
           " (%.2f ms); load average %.2f on %ld cores\n",
           claimers, f[5].median <= 5 ? "met" : "NOT met", f[5].median, f[5].p99 <= 5 ? "met" : "NOT met",
           f[5].p99, f[5].load, sysconf(_SC_NPROCESSORS_ONLN));
    explain(ci);
    return 0;
}
