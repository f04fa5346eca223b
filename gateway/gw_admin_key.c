/* POST /v1/license/admin-key: the license holder rotates the admin key with the current one. The new key is
 * written to the catalog primary (audited with the actor "admin-key:<license>", the audit row says
 * adminKeyRotated and holds no hash), and the answer waits until this region's catalog replica has it, up to
 * ROTATE_WAIT_LOOKS looks: from the 200 on, the region admits the new key and refuses the old one. Runs on
 * the loop thread; between two looks (one cheap statement each) the request waits on a loop timer
 * (gw_pause), holding no database connection. */
#include "gateway/gw_handlers.h"

#include <openssl/crypto.h>
#include <string.h>

/* GW_PAUSE_MS (50 ms) apart: about 5 s for replication to apply one row, which takes milliseconds while it
 * runs. Past it the key is answered anyway: it is committed and is the only copy the caller gets. */
#define ROTATE_WAIT_LOOKS (5000 / GW_PAUSE_MS)

typedef struct {
    char old_hash[65], new_hash[65];
    char key[GW_ADMIN_KEY_LEN + 1];
    int looks;
} rotate_req_t;

static void rotate_dispose(void *p)
{
    OPENSSL_cleanse(p, sizeof(rotate_req_t));
}

static rotate_req_t *rstate(gw_req_t *r)
{
    return gw_hstate(r, sizeof(rotate_req_t), rotate_dispose);
}

static void answer(gw_req_t *r)
{
    rotate_req_t *k = rstate(r);
    gw_add_header(r, "Cache-Control", "no-store");
    gw_send_json(r, 200, json_pack("{s:s,s:s}", "licenseId", r->who.license_id, "adminKey", k->key));
}

static void look(gw_req_t *r);

static void on_replica(gw_req_t *r, PGresult *res)
{
    rotate_req_t *k = rstate(r);
    if (PQntuples(res) == 1 || ++k->looks >= ROTATE_WAIT_LOOKS) {
        if (PQntuples(res) != 1)
            gw_log(r->thr->server, "warn",
                   "license %s: the replica did not show the new admin key within %d looks",
                   r->who.license_id, ROTATE_WAIT_LOOKS);
        answer(r);
        return;
    }
    gw_pause(r, look);
}

static void look(gw_req_t *r)
{
    rotate_req_t *k = rstate(r);
    const char *p[2] = {r->who.license_id, k->new_hash};
    gw_db_query(r, GW_DB_CATALOG, DB_CAT_ADMIN_KEY_CURRENT, p, NULL, on_replica);
}

static void on_rotated(gw_req_t *r, PGresult *res)
{
    if (PQntuples(res) == 0) {
        /* The primary holds another key already: the one presented was rotated away meanwhile. */
        gw_send_error(r, 401, "InvalidCredentials", NULL, "unknown License ID or wrong admin key");
        return;
    }
    if (r->thr->db[GW_DB_PRIMARY] == r->thr->db[GW_DB_CATALOG])
        answer(r); /* one catalog: admission reads what was just written */
    else
        look(r);
}

static int json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The body may be empty or {}: nothing is chosen by the caller, and anything else is refused. It has passed
 * the JSON body gate (route GW_BODY_JSON), so it is small enough to parse here. */
static int body_ok(gw_req_t *r)
{
    h2o_iovec_t b = gw_body(r);
    size_t i = 0, n = b.len;
    while (i < n && json_space(b.base[i]))
        ++i;
    while (n > i && json_space(b.base[n - 1]))
        --n;
    if (i == n)
        return 0;
    json_error_t je;
    json_t *o = json_loadb(b.base + i, n - i, JSON_REJECT_DUPLICATES, &je);
    int ok = json_is_object(o) && json_object_size(o) == 0;
    if (o == NULL)
        gw_send_error(r, 400, "MalformedJson", NULL, "the body must be empty or {}");
    else if (!ok)
        gw_send_error(r, 400, "UnrecognizedInput", NULL,
                      "the body must be empty or {}: the new key is chosen by the service");
    json_decref(o);
    return ok ? 0 : -1;
}

void gw_h_admin_key_rotate(gw_req_t *r)
{
    if (body_ok(r) != 0)
        return;
    rotate_req_t *k = rstate(r);
    size_t zlen = 0;
    const char *authz = gw_header_token(r, H2O_TOKEN_AUTHORIZATION, &zlen);
    /* Admission has checked the header's form ("Bearer " and the key) and the key itself. */
    gw_admin_key_hash(authz + 7, zlen - 7, k->old_hash);
    if (gw_admin_key_new(k->key, k->new_hash) != 0) {
        gw_send_error(r, 500, "InternalError", NULL, "no randomness available for a new key");
        return;
    }
    char who[64];
    snprintf(who, sizeof(who), "admin-key:%s", r->who.license_id);
    const char *p[4] = {r->who.license_id, k->old_hash, k->new_hash, who};
    gw_db_query(r, GW_DB_PRIMARY, DB_CAT_ADMIN_KEY_ROTATE_AS, p, NULL, on_rotated);
}
