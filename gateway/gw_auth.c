#include "gateway/gw_auth.h"
#include "gateway/gw_guard.h"
#include "gateway/gw_router.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Bounded negative cache: unknown pairs (garbage or probing) cannot grow memory past this. */
#define NEG_MAX 10000
/* Invalidations remembered for look-ups in flight; one older than all of them is never cached. A look-up
 * waits at most a catalog round trip, far fewer notifications than this arrive meanwhile. */
#define INVAL_RING 256

/* Catalog notifications are posted here by whichever loop thread's listener reads them, and every cache
 * applies what it has not yet seen before its next look-up. Without it each thread learned of a change only
 * from its own listener, so a client could be refused on one connection and still admitted on another one
 * served by a thread that had not read the notification yet. Older than NOTICE_RING: the cache starts afresh.
 */
#define NOTICE_RING 512
#define NOTICE_LEN 128

static struct {
    pthread_mutex_t lock;
    uint64_t seq; /* notices posted so far; read without the lock by each look-up */
    char text[NOTICE_RING][NOTICE_LEN];
} board = {.lock = PTHREAD_MUTEX_INITIALIZER};

typedef struct entry {
    struct entry *next;
    char key[74]; /* license_id '/' app_id */
    int found;
    int64_t expires; /* monotonic seconds */
    gw_principal_t p;
} entry_t;

struct gw_auth_cache {
    entry_t **buckets;
    size_t nbuckets;
    size_t npos, nneg;
    size_t max_pos;
    uint64_t hits, misses;
    /* Each invalidation and flush advances gen. A look-up records gen when it starts; its answer is cached
     * only if no invalidation of its license or app (and no flush) came after, else it may predate the
     * change that the notification announced. */
    uint64_t gen, flush_gen;
    uint64_t board_seen; /* notices of the board applied to this cache */
    struct {
        uint64_t gen;
        char id[37];
    } inval[INVAL_RING];
};

/* HTTP Basic credentials: user and password point into `dec` (160 bytes), or -1 when the header is not Basic
 * or does not decode. */
static int basic_decode(const char *authz, size_t authz_len, unsigned char dec[160], const char **user,
                        size_t *ulen, const char **pass, size_t *plen)
{
    if (authz == NULL || authz_len < 6 || authz_len > 200 || strncasecmp(authz, "Basic ", 6) != 0)
        return -1;
    const char *b64 = authz + 6;
    size_t blen = authz_len - 6;
    while (blen > 0 && *b64 == ' ')
        ++b64, --blen;
    if (blen == 0 || blen % 4 != 0 || blen / 4 * 3 >= 160)
        return -1;
    int n = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)blen);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts the '=' padding as zero bytes: take them off. */
    if (b64[blen - 1] == '=')
        --n;
    if (b64[blen - 2] == '=')
        --n;
    const char *colon = memchr(dec, ':', (size_t)n);
    if (colon == NULL)
        return -1;
    *user = (const char *)dec;
    *ulen = (size_t)(colon - (const char *)dec);
    *pass = colon + 1;
    *plen = (size_t)n - *ulen - 1;
    return 0;
}

int gw_parse_tenant_credentials(const char *lic, size_t lic_len, const char *app, size_t app_len,
                                const char *authz, size_t authz_len, char license_id[37], char app_id[37])
{
    if (lic != NULL || app != NULL)
        return gw_uuid_parse(lic, lic_len, license_id) == 0 && gw_uuid_parse(app, app_len, app_id) == 0 ? 0
                                                                                                        : -1;
    unsigned char dec[160];
    const char *user, *pass;
    size_t ulen, plen;
    if (basic_decode(authz, authz_len, dec, &user, &ulen, &pass, &plen) != 0)
        return -1;
    return gw_uuid_parse(user, ulen, license_id) == 0 && gw_uuid_parse(pass, plen, app_id) == 0 ? 0 : -1;
}

/* Basic with a License ID and a password that is no App ID (so an admin key): 0 and the key's hash. */
static int basic_admin(const char *authz, size_t authz_len, char license_id[37], char key_hash[65])
{
    unsigned char dec[160];
    const char *user, *pass;
    size_t ulen, plen;
    char app_id[37];
    if (basic_decode(authz, authz_len, dec, &user, &ulen, &pass, &plen) != 0 ||
        gw_uuid_parse(user, ulen, license_id) != 0 || plen == 0 || gw_uuid_parse(pass, plen, app_id) == 0)
        return -1;
    gw_admin_key_hash(pass, plen, key_hash);
    return 0;
}

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

static size_t hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *k; ++k)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return (size_t)h;
}

gw_auth_cache_t *gw_auth_cache_create(int max_entries)
{
    gw_auth_cache_t *c = calloc(1, sizeof(*c));
    c->max_pos = (size_t)max_entries;
    c->nbuckets = 4096;
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    c->board_seen = __atomic_load_n(&board.seq, __ATOMIC_ACQUIRE);
    return c;
}

/* Removes entries for which pred(entry, arg) holds. */
static void remove_if(gw_auth_cache_t *c, int (*pred)(const entry_t *, const void *), const void *arg)
{
    for (size_t b = 0; b < c->nbuckets; ++b) {
        entry_t **pp = &c->buckets[b];
        while (*pp != NULL) {
            entry_t *e = *pp;
            if (pred(e, arg)) {
                *pp = e->next;
                if (e->found)
                    --c->npos;
                else
                    --c->nneg;
                free(e);
            } else {
                pp = &e->next;
            }
        }
    }
}

static int pred_all(const entry_t *e, const void *arg)
{
    (void)e, (void)arg;
    return 1;
}

static int pred_negative(const entry_t *e, const void *arg)
{
    (void)arg;
    return !e->found;
}

static int pred_expired(const entry_t *e, const void *arg)
{
    return e->expires <= *(const int64_t *)arg;
}

static int pred_names(const entry_t *e, const void *arg)
{
    /* Keys are "license/app": a license id matches the first half, an app id the second. */
    return strstr(e->key, (const char *)arg) != NULL;
}

void gw_auth_cache_destroy(gw_auth_cache_t *c)
{
    if (c == NULL)
        return;
    remove_if(c, pred_all, NULL);
    free(c->buckets);
    free(c);
}

void gw_auth_cache_flush(gw_auth_cache_t *c)
{
    c->flush_gen = ++c->gen;
    remove_if(c, pred_all, NULL);
}

static void remember(gw_auth_cache_t *c, const char *id)
{
    ++c->gen;
    c->inval[c->gen % INVAL_RING].gen = c->gen;
    memcpy(c->inval[c->gen % INVAL_RING].id, id, 37);
}

/* Whether "license/app" may have changed since generation `since`. */
static int changed_since(const gw_auth_cache_t *c, const char *key, uint64_t since)
{
    if (c->gen == since)
        return 0;
    if (c->flush_gen > since || c->gen - since >= INVAL_RING)
        return 1;
    for (uint64_t g = since + 1; g <= c->gen; ++g)
        if (strstr(key, c->inval[g % INVAL_RING].id) != NULL)
            return 1;
    return 0;
}

void gw_auth_cache_invalidate(gw_auth_cache_t *c, const char *payload)
{
    const char *colon = strchr(payload, ':');
    char id[40];
    if (colon == NULL || strncmp(payload, "tiers:", 6) == 0 ||
        gw_uuid_parse(colon + 1, strlen(colon + 1), id) != 0) {
        /* A tier change touches every license of the tier; tiers change rarely: start afresh. */
        gw_auth_cache_flush(c);
        return;
    }
    remember(c, id);
    remove_if(c, pred_names, id);
}

void gw_auth_notice(const char *payload)
{
    pthread_mutex_lock(&board.lock);
    uint64_t seq = board.seq + 1;
    /* A payload too long to keep (only tier names can be) is kept as "tiers:", which flushes. */
    snprintf(board.text[seq % NOTICE_RING], NOTICE_LEN, "%s",
             strlen(payload) < NOTICE_LEN ? payload : "tiers:");
    __atomic_store_n(&board.seq, seq, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&board.lock);
}

/* Applies the notices posted since this cache last looked: one atomic read when there are none. */
static void catch_up(gw_auth_cache_t *c)
{
    if (__atomic_load_n(&board.seq, __ATOMIC_ACQUIRE) == c->board_seen)
        return;
    pthread_mutex_lock(&board.lock);
    uint64_t seq = board.seq;
    if (seq - c->board_seen >= NOTICE_RING) {
        gw_auth_cache_flush(c);
    } else {
        for (uint64_t n = c->board_seen + 1; n <= seq; ++n)
            gw_auth_cache_invalidate(c, board.text[n % NOTICE_RING]);
    }
    c->board_seen = seq;
    pthread_mutex_unlock(&board.lock);
}

void gw_auth_cache_stats(const gw_auth_cache_t *c, uint64_t *hits, uint64_t *misses, size_t *entries)
{
    /* Read from the metrics endpoint on any loop thread. */
    *hits = __atomic_load_n(&c->hits, __ATOMIC_RELAXED);
    *misses = __atomic_load_n(&c->misses, __ATOMIC_RELAXED);
    *entries = __atomic_load_n(&c->npos, __ATOMIC_RELAXED) + __atomic_load_n(&c->nneg, __ATOMIC_RELAXED);
}

static entry_t *cache_get(gw_auth_cache_t *c, const char *key)
{
    catch_up(c);
    int64_t now = mono_s();
    entry_t **pp = &c->buckets[hash_key(key) % c->nbuckets];
    for (; *pp != NULL; pp = &(*pp)->next) {
        entry_t *e = *pp;
        if (strcmp(e->key, key) != 0)
            continue;
        if (e->expires > now)
            return e;
        *pp = e->next;
        if (e->found)
            --c->npos;
        else
            --c->nneg;
        free(e);
        return NULL;
    }
    return NULL;
}

uint64_t gw_auth_cache_generation(gw_auth_cache_t *c)
{
    catch_up(c);
    return c->gen;
}

int gw_auth_cache_get(gw_auth_cache_t *c, const char *key, gw_principal_t *out)
{
    entry_t *e = cache_get(c, key);
    if (e == NULL)
        return -1;
    if (e->found)
        *out = e->p;
    return e->found;
}

int gw_auth_cache_put(gw_auth_cache_t *c, const char *key, const gw_principal_t *p, int ttl, uint64_t since)
{
    catch_up(c);
    if (ttl <= 0 || changed_since(c, key, since))
        return 0;
    int64_t now = mono_s();
    if (p != NULL ? c->npos >= c->max_pos : c->nneg >= NEG_MAX) {
        remove_if(c, pred_expired, &now);
        if (p == NULL && c->nneg >= NEG_MAX)
            remove_if(c, pred_negative, NULL);
        else if (p != NULL && c->npos >= c->max_pos)
            gw_auth_cache_flush(c);
    }
    entry_t *e = calloc(1, sizeof(*e));
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->found = p != NULL;
    e->expires = now + ttl;
    if (p != NULL)
        e->p = *p;
    size_t b = hash_key(key) % c->nbuckets;
    e->next = c->buckets[b];
    c->buckets[b] = e;
    if (e->found)
        ++c->npos;
    else
        ++c->nneg;
    return 1;
}

int gw_license_active(const gw_principal_t *p, int64_t now)
{
    return strcmp(p->status, "active") == 0 && (p->expires_at == 0 || p->expires_at > now);
}

/* Fills the tier and license fields shared by both lookups, starting at column `col` (region). */
static void read_license_columns(PGresult *res, gw_principal_t *p)
{
    snprintf(p->region, sizeof(p->region), "%s", PQgetvalue(res, 0, 1));
    snprintf(p->status, sizeof(p->status), "%s", PQgetvalue(res, 0, 2));
    p->expires_at = PQgetisnull(res, 0, 3) ? 0 : strtoll(PQgetvalue(res, 0, 3), NULL, 10);
    snprintf(p->tier, sizeof(p->tier), "%s", PQgetvalue(res, 0, 4));
    p->hourly_quota = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
    p->max_file_bytes = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
    p->max_pages = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
    p->max_pixels = strtoll(PQgetvalue(res, 0, 8), NULL, 10);
    p->max_retention_days = atoi(PQgetvalue(res, 0, 9));
    p->page_timeout_ms = atoi(PQgetvalue(res, 0, 10));
    p->max_attempts = atoi(PQgetvalue(res, 0, 11));
    p->max_concurrent_pages = atoi(PQgetvalue(res, 0, PQnfields(res) - 1)); /* last in both lookups */
}

typedef struct {
    gw_req_t *r;
    void (*next)(gw_req_t *r);
    char key[74];
    char key_hash[65]; /* admin calls */
    uint64_t gen;      /* the cache's generation when the look-up began */
} lookup_t;

static void unavailable(gw_req_t *r)
{
    gw_add_header(r, "Retry-After", "5");
    gw_send_error(r, 503, "Unavailable", NULL, "the license catalog cannot be reached; try again shortly");
}

/* The 401 rules in API.md order: unknown pair, inactive license, disabled app, wrong region. */
static void decide(gw_req_t *r, const gw_principal_t *p, void (*next)(gw_req_t *r))
{
    gw_server_t *s = r->thr->server;
    if (p == NULL) {
        gw_send_error(r, 401, "InvalidCredentials", NULL, "unknown License ID and App ID");
        return;
    }
    r->who = *p;
    r->authenticated = 1;
    if (!gw_license_active(p, (int64_t)time(NULL))) {
        gw_send_error(r, 401, "LicenseInactive", NULL, "the license is %s",
                      strcmp(p->status, "active") == 0 ? "past its expiry time" : p->status);
        return;
    }
    if (p->app_id[0] != '\0' && (p->app_deleted || !p->app_enabled)) {
        gw_send_error(r, 401, "AppDisabled", NULL, "the app is %s", p->app_deleted ? "deleted" : "disabled");
        return;
    }
    if (r->route->auth != GW_AUTH_TENANT_ANY_REGION && strcmp(p->region, s->cfg.region) != 0) {
        const rgn_region_t *home = rgn_find(&s->regions, p->region);
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o}", "errorCode", "WrongRegion", "message",
                              "the license is processed in another region; call its endpoint", "requestId",
                              r->request_id, "processingRegion", p->region, "endpoint",
                              home != NULL ? json_string(home->endpoint) : json_null());
        gw_send_json(r, 401, j);
        return;
    }
    next(r);
}

static void on_pair_row(void *arg, PGresult *res, const char *errmsg)
{
    lookup_t *l = arg;
    gw_req_t *r = l->r;
    if (gw_req_release(r) != 0)
        goto Exit;
    gw_thread_t *t = r->thr;
    if (res == NULL) {
        gw_log(t->server, "warn", "catalog lookup failed: %s", errmsg);
        unavailable(r);
        goto Exit;
    }
    if (PQntuples(res) == 0) {
        gw_guard_unknown(r);
        gw_auth_cache_put(t->auth, l->key, NULL, t->server->cfg.auth_negative_ttl_s, l->gen);
        decide(r, NULL, l->next);
        goto Exit;
    }
    gw_principal_t p;
    memset(&p, 0, sizeof(p));
    snprintf(p.license_id, sizeof(p.license_id), "%s", PQgetvalue(res, 0, 0));
    memcpy(p.app_id, l->key + 37, 36);
    read_license_columns(res, &p);
    p.app_enabled = strcmp(PQgetvalue(res, 0, 12), "t") == 0;
    p.app_deleted = strcmp(PQgetvalue(res, 0, 13), "t") == 0;
    gw_auth_cache_put(t->auth, l->key, &p, t->server->cfg.auth_cache_ttl_s, l->gen);
    decide(r, &p, l->next);
Exit:
    free(l);
}

static void on_admin_row(void *arg, PGresult *res, const char *errmsg)
{
    lookup_t *l = arg;
    gw_req_t *r = l->r;
    if (gw_req_release(r) != 0)
        goto Exit;
    if (res == NULL) {
        gw_log(r->thr->server, "warn", "catalog lookup failed: %s", errmsg);
        unavailable(r);
        goto Exit;
    }
    /* Compare hashes in constant time; an unknown license is compared against a dummy so that timing does not
     * tell which licenses exist. */
    const char *stored = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
    char dummy[65];
    memset(dummy, 'x', 64);
    dummy[64] = '\0';
    int match = CRYPTO_memcmp(strlen(stored) == 64 ? stored : dummy, l->key_hash, 64) == 0;
    if (!match || PQntuples(res) != 1) {
        gw_guard_unknown(r);
        gw_send_error(r, 401, "InvalidCredentials", NULL, "unknown License ID or wrong admin key");
        goto Exit;
    }
    gw_principal_t p;
    memset(&p, 0, sizeof(p));
    memcpy(p.license_id, l->key, 36);
    read_license_columns(res, &p);
    decide(r, &p, l->next);
Exit:
    free(l);
}

/* The admin-key look-up: the license's key hash from the catalog, compared in on_admin_row. */
static void admit_admin(gw_req_t *r, const char license_id[37], const char key_hash[65],
                        void (*next)(gw_req_t *r))
{
    if (gw_guard_lookup(r) != 0)
        return;
    lookup_t *l = calloc(1, sizeof(*l));
    l->r = r;
    l->next = next;
    memcpy(l->key, license_id, 37);
    memcpy(l->key_hash, key_hash, 65);
    gw_req_addref(r);
    const char *params[1] = {license_id};
    db_pool_query(r->thr->db[GW_DB_CATALOG], DB_CAT_AUTH_ADMIN, params, on_admin_row, l);
}

void gw_admit(gw_req_t *r, void (*next)(gw_req_t *r))
{
    gw_thread_t *t = r->thr;
    size_t llen = 0, alen = 0, zlen = 0;
    const char *lic = gw_header(r, "x-license-id", &llen);
    const char *authz = gw_header_token(r, H2O_TOKEN_AUTHORIZATION, &zlen);
    char license_id[37], app_id[37], key_hash[65];

    if (r->route->auth == GW_AUTH_ADMIN) {
        if (gw_uuid_parse(lic, llen, license_id) != 0 || authz == NULL || zlen < 8 || zlen > 512 ||
            strncasecmp(authz, "Bearer ", 7) != 0) {
            gw_send_error(r, 401, "InvalidCredentials", NULL,
                          "X-License-Id and Authorization: Bearer <adminKey> are required");
            return;
        }
        gw_admin_key_hash(authz + 7, zlen - 7, key_hash);
        admit_admin(r, license_id, key_hash, next);
        return;
    }
    if (r->route->auth == GW_AUTH_TENANT_OR_ADMIN && lic == NULL &&
        basic_admin(authz, zlen, license_id, key_hash) == 0) {
        admit_admin(r, license_id, key_hash, next);
        return;
    }

    const char *app = gw_header(r, "x-app-id", &alen);
    if (gw_parse_tenant_credentials(lic, llen, app, alen, authz, zlen, license_id, app_id) != 0) {
        gw_send_error(r, 401, "InvalidCredentials", NULL,
                      "send X-License-Id and X-App-Id (UUIDs), or HTTP Basic with License ID and App ID");
        return;
    }
    char key[74];
    snprintf(key, sizeof(key), "%s/%s", license_id, app_id);
    entry_t *e = cache_get(t->auth, key);
    if (e != NULL) {
        __atomic_add_fetch(&t->auth->hits, 1, __ATOMIC_RELAXED);
        decide(r, e->found ? &e->p : NULL, next);
        return;
    }
    __atomic_add_fetch(&t->auth->misses, 1, __ATOMIC_RELAXED);
    if (gw_guard_lookup(r) != 0)
        return;
    lookup_t *l = calloc(1, sizeof(*l));
    l->r = r;
    l->next = next;
    memcpy(l->key, key, sizeof(key));
    l->gen = gw_auth_cache_generation(t->auth);
    gw_req_addref(r);
    const char *params[2] = {app_id, license_id};
    db_pool_query(t->db[GW_DB_CATALOG], DB_CAT_AUTH_PAIR, params, on_pair_row, l);
}
