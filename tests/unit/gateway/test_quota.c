/*
 * The quota cache's entries while a statement for them is in flight. The "database" is a TCP listener that
 * accepts and never answers (a region database that is slow), so a peek stays pending for as long as the test
 * wants; closing the listener's side ends it with an error, the way a lost database ends it.
 */
#include "gateway/gw_quota.h"
#include "tests/unit/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int answered;

static void next_cb(gw_req_t *r)
{
    (void)r;
    ++answered;
}

static int stalled_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* Runs the loop until the stalled server has a connection, then returns that connection. */
static int accept_one(h2o_evloop_t *loop, int lfd)
{
    for (int i = 0; i < 200; ++i) {
        h2o_evloop_run(loop, 10);
        struct timeval tv = {0, 10000};
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(lfd, &fds);
        if (select(lfd + 1, &fds, NULL, NULL, &tv) == 1)
            return accept(lfd, NULL, NULL);
    }
    return -1;
}

int main(void)
{
    gw_server_t server;
    memset(&server, 0, sizeof(server));
    gw_thread_t thr;
    memset(&thr, 0, sizeof(thr));
    thr.server = &server;
    thr.loop = h2o_evloop_create();

    int port = 0, lfd = stalled_listener(&port);
    ok(lfd >= 0, "stalled database listener");
    char dsn[128];
    snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%d sslmode=disable connect_timeout=30", port);
    thr.db[GW_DB_REGION] = db_pool_create(thr.loop, dsn, 1);
    thr.quota = gw_quota_cache_create(&thr);
    int cfd = accept_one(thr.loop, lfd);
    ok(cfd >= 0, "the pool is connecting to the stalled database");

    /* A peek just before an hour boundary: its statement waits on the stalled database. */
    int64_t now = (int64_t)time(NULL);
    server.cfg.test_clock_offset_s = (int)(gw_quota_window_start(now) + GW_QUOTA_WINDOW - 1 - now);
    gw_req_t *r = calloc(1, sizeof(*r));
    r->thr = &thr;
    r->refs = 1;
    snprintf(r->who.license_id, sizeof(r->who.license_id), "0b8e2f9c-1234-4abc-8def-0123456789ab");
    r->who.hourly_quota = 100;
    gw_quota_peek(r, next_cb);
    is_int(r->refs, 2, "the peek holds the request while its statement is pending");

    /* The clock crosses the hour: the 1 s tick drops past-window entries, but not one with a peek pending. */
    server.cfg.test_clock_offset_s += 2;
    gw_quota_tick(thr.quota, 0);
    is_int(gw_quota_cache_entries(thr.quota), 1,
           "an entry with a peek pending survives the tick across the hour");

    /* The database goes away: the peek ends with an error and must touch only live memory (ASan checks). */
    close(cfd);
    for (int i = 0; i < 200 && r->refs > 1; ++i)
        h2o_evloop_run(thr.loop, 10);
    is_int(r->refs, 1, "the peek finished");
    is_int(answered, 0, "a request whose client left is not answered");
    gw_quota_tick(thr.quota, 0);
    is_int(gw_quota_cache_entries(thr.quota), 0, "the past-window entry goes once nothing is pending");

    gw_req_release(r);
    gw_quota_cache_destroy(thr.quota);
    db_pool_destroy(thr.db[GW_DB_REGION]);
    h2o_evloop_destroy(thr.loop);
    close(lfd);
    return done_testing();
}
