#include "gateway/gw_guard.h"
#include "gateway/gw.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUARD_BUCKETS 4096

typedef struct addr_entry {
    struct addr_entry *next;
    unsigned char addr[16]; /* IPv4 in the first 4 bytes (family 4), or an IPv6 /64 in the first 8 */
    int family;
    int conns;          /* open connections */
    int64_t lookup_sec; /* the second `lookups` counts */
    int lookups;        /* catalog look-ups this second that found no such credentials */
} addr_entry_t;

/* What a guarded socket gives back when it closes; h2o's own close callback, if any, still runs. */
typedef struct {
    addr_entry_t *e;
    void (*prev_cb)(void *data);
    void *prev_data;
} slot_t;

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static addr_entry_t *guard_table[GUARD_BUCKETS];
static int guard_open; /* connections open on the node, under guard_lock */
static unsigned long long refused_address, refused_node, bodies_refused, lookups_refused;

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* The client address as a table key; -1 when the socket has none we can read (then only the node cap
 * applies). */
static int key_of(const struct sockaddr *sa, socklen_t len, unsigned char key[16], int *family)
{
    memset(key, 0, 16);
    if (len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
        memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        *family = 4;
        return 0;
    }
    if (len >= sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
        const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
            memcpy(key, a + 12, 4);
            *family = 4;
        } else {
            memcpy(key, a, 8);
            *family = 6;
        }
        return 0;
    }
    return -1;
}

static size_t bucket_of(const unsigned char key[16], int family)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)family;
    for (int i = 0; i < 16; ++i)
        h = (h ^ key[i]) * 1099511628211ULL;
    return (size_t)(h % GUARD_BUCKETS);
}

static int idle(const addr_entry_t *e, int64_t now)
{
    return e->conns == 0 && e->lookup_sec < now;
}

/* The entry of an address, created when missing; idle entries met on the way are freed. Under guard_lock. */
static addr_entry_t *entry_of(const unsigned char key[16], int family)
{
    int64_t now = mono_s();
    addr_entry_t **pp = &guard_table[bucket_of(key, family)], *found = NULL;
    while (*pp != NULL) {
        addr_entry_t *e = *pp;
        if (e->family == family && memcmp(e->addr, key, 16) == 0) {
            found = e;
        } else if (idle(e, now)) {
            *pp = e->next;
            free(e);
            continue;
        }
        pp = &e->next;
    }
    if (found == NULL && (found = calloc(1, sizeof(*found))) != NULL) {
        memcpy(found->addr, key, 16);
        found->family = family;
        found->lookup_sec = -1;
        found->next = guard_table[bucket_of(key, family)];
        guard_table[bucket_of(key, family)] = found;
    }
    return found;
}

static void on_close(void *data)
{
    slot_t *s = data;
    pthread_mutex_lock(&guard_lock);
    --guard_open;
    if (s->e != NULL)
        --s->e->conns; /* freed later, when idle and met again */
    pthread_mutex_unlock(&guard_lock);
    if (s->prev_cb != NULL)
        s->prev_cb(s->prev_data);
    free(s);
}

int gw_guard_connection(gw_thread_t *t, h2o_socket_t *sock)
{
    const cfg_t *cfg = &t->server->cfg;
    struct sockaddr_storage ss;
    socklen_t len = h2o_socket_getpeername(sock, (struct sockaddr *)&ss);
    unsigned char key[16];
    int family = 0, have = key_of((struct sockaddr *)&ss, len, key, &family) == 0;
    slot_t *s = calloc(1, sizeof(*s));
    unsigned long long *refused = NULL;

    pthread_mutex_lock(&guard_lock);
    if (s == NULL || guard_open >= cfg->max_connections) {
        refused = &refused_node;
    } else {
        s->e = have ? entry_of(key, family) : NULL;
        if (s->e != NULL && s->e->conns >= cfg->max_connections_per_address)
            refused = &refused_address;
        else {
            ++guard_open;
            if (s->e != NULL)
                ++s->e->conns;
        }
    }
    pthread_mutex_unlock(&guard_lock);
    if (refused != NULL) {
        /* Before TLS there is no way to say 503 that a client could read: the connection is closed. */
        __atomic_add_fetch(refused, 1, __ATOMIC_RELAXED);
        free(s);
        h2o_socket_close(sock);
        return -1;
    }
    s->prev_cb = sock->on_close.cb;
    s->prev_data = sock->on_close.data;
    sock->on_close.cb = on_close;
    sock->on_close.data = s;
    return 0;
}

int gw_guard_body(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    size_t n;
    if (req->entity.base == NULL ||
        req->entity.len <= (size_t)r->thr->server->cfg.unauthenticated_body_limit ||
        gw_header(r, "x-license-id", &n) != NULL || gw_header(r, "x-app-id", &n) != NULL ||
        gw_header_token(r, H2O_TOKEN_AUTHORIZATION, &n) != NULL)
        return 0;
    __atomic_add_fetch(&bodies_refused, 1, __ATOMIC_RELAXED);
    req->http1_is_persistent = 0;
    gw_send_error(r, 401, "InvalidCredentials", NULL,
                  "a request without credentials may carry at most %lld bytes of body; send X-License-Id and "
                  "X-App-Id (or HTTP Basic) with it",
                  r->thr->server->cfg.unauthenticated_body_limit);
    return 1;
}

/* The entry of the request's client address, under guard_lock; NULL when it has none. */
static addr_entry_t *entry_of_request(gw_req_t *r)
{
    struct sockaddr_storage ss;
    unsigned char key[16];
    int family = 0;
    if (r->req == NULL || r->req->conn->callbacks->get_peername == NULL)
        return NULL;
    socklen_t len = r->req->conn->callbacks->get_peername(r->req->conn, (struct sockaddr *)&ss);
    if (key_of((struct sockaddr *)&ss, len, key, &family) != 0)
        return NULL;
    return entry_of(key, family);
}

int gw_guard_lookup(gw_req_t *r)
{
    int cap = r->thr->server->cfg.unknown_lookups_per_address, over = 0;
    if (cap <= 0)
        return 0;
    int64_t now = mono_s();
    pthread_mutex_lock(&guard_lock);
    addr_entry_t *e = entry_of_request(r);
    over = e != NULL && e->lookup_sec == now && e->lookups >= cap;
    pthread_mutex_unlock(&guard_lock);
    if (!over)
        return 0;
    __atomic_add_fetch(&lookups_refused, 1, __ATOMIC_RELAXED);
    gw_add_header(r, "Retry-After", "1");
    gw_send_error(r, 503, "Unavailable", NULL,
                  "too many look-ups of unknown credentials from your address; retry in a second");
    return -1;
}

void gw_guard_unknown(gw_req_t *r)
{
    int64_t now = mono_s();
    pthread_mutex_lock(&guard_lock);
    addr_entry_t *e = entry_of_request(r);
    if (e != NULL) {
        if (e->lookup_sec != now) {
            e->lookup_sec = now;
            e->lookups = 0;
        }
        ++e->lookups;
    }
    pthread_mutex_unlock(&guard_lock);
}

void gw_guard_metrics(FILE *m)
{
    pthread_mutex_lock(&guard_lock);
    int open = guard_open;
    pthread_mutex_unlock(&guard_lock);
    fprintf(
        m,
        "# HELP ocrgate_connections_open Client connections open on this node (metrics listener excluded).\n"
        "# TYPE ocrgate_connections_open gauge\nocrgate_connections_open %d\n"
        "# HELP ocrgate_connections_refused_total Connections closed at accept, by the cap they hit.\n"
        "# TYPE ocrgate_connections_refused_total counter\n"
        "ocrgate_connections_refused_total{cap=\"address\"} %llu\n"
        "ocrgate_connections_refused_total{cap=\"node\"} %llu\n"
        "# HELP ocrgate_unauthenticated_bodies_refused_total Requests without credentials refused for the "
        "size of their body.\n"
        "# TYPE ocrgate_unauthenticated_bodies_refused_total counter\n"
        "ocrgate_unauthenticated_bodies_refused_total %llu\n"
        "# HELP ocrgate_catalog_lookups_refused_total Catalog look-ups of uncached credentials refused by "
        "the "
        "per-address rate cap.\n"
        "# TYPE ocrgate_catalog_lookups_refused_total counter\nocrgate_catalog_lookups_refused_total %llu\n",
        open, __atomic_load_n(&refused_address, __ATOMIC_RELAXED),
        __atomic_load_n(&refused_node, __ATOMIC_RELAXED), __atomic_load_n(&bodies_refused, __ATOMIC_RELAXED),
        __atomic_load_n(&lookups_refused, __ATOMIC_RELAXED));
}
