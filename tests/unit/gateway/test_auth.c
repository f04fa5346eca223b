#include "gateway/gw_auth.h"
#include "tests/unit/tap.h"

#include <openssl/evp.h>

static const char *L = "0b8e2f9c-1234-4abc-8def-0123456789ab", *A = "9F0E2D3C-4B5A-4697-8877-665544332211";

static int creds(const char *lic, const char *app, const char *authz, char *l, char *a)
{
    return gw_parse_tenant_credentials(lic, lic ? strlen(lic) : 0, app, app ? strlen(app) : 0, authz,
                                       authz ? strlen(authz) : 0, l, a);
}

int main(void)
{
    char l[37], a[37], hdr[256];
    unsigned char b64[200];

    is_int(creds(L, A, NULL, l, a), 0, "header credentials");
    is_str(l, L, "license id");
    is_str(a, "9f0e2d3c-4b5a-4697-8877-665544332211", "app id lower-cased");
    is_int(creds(L, NULL, NULL, l, a), -1, "license header alone is refused");
    is_int(creds(NULL, A, NULL, l, a), -1, "app header alone is refused");
    is_int(creds("not-a-uuid", A, NULL, l, a), -1, "garbage license id");
    is_int(creds("0b8e2f9c12344abc8def0123456789ab", A, NULL, l, a), -1, "uuid without dashes");
    is_int(creds("0b8e2f9c-1234-4abc-8def-0123456789ag", A, NULL, l, a), -1, "non-hex digit");

    char userpass[100];
    snprintf(userpass, sizeof(userpass), "%s:%s", L, A);
    EVP_EncodeBlock(b64, (const unsigned char *)userpass, (int)strlen(userpass));
    snprintf(hdr, sizeof(hdr), "Basic %s", b64);
    is_int(creds(NULL, NULL, hdr, l, a), 0, "HTTP Basic credentials");
    is_str(l, L, "license from Basic");
    snprintf(hdr, sizeof(hdr), "Bearer %s", b64);
    is_int(creds(NULL, NULL, hdr, l, a), -1, "other scheme refused");
    is_int(creds(NULL, NULL, "Basic !!!!", l, a), -1, "bad base64 refused");
    EVP_EncodeBlock(b64, (const unsigned char *)"nocolon", 7);
    snprintf(hdr, sizeof(hdr), "Basic %s", b64);
    is_int(creds(NULL, NULL, hdr, l, a), -1, "Basic without colon refused");
    is_int(creds(NULL, NULL, NULL, l, a), -1, "no credentials");

    char hex[65];
    gw_admin_key_hash("abc", 3, hex);
    is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
           "admin key hash is SHA-256");

    gw_principal_t p;
    memset(&p, 0, sizeof(p));
    strcpy(p.status, "active");
    ok(gw_license_active(&p, 1000), "active, no expiry");
    p.expires_at = 1000;
    ok(!gw_license_active(&p, 1000), "past expiry time is inactive");
    ok(gw_license_active(&p, 999), "before expiry is active");
    strcpy(p.status, "overdue");
    p.expires_at = 0;
    ok(!gw_license_active(&p, 1), "overdue is inactive");

    gw_auth_cache_t *c = gw_auth_cache_create(16);
    uint64_t hits, misses;
    size_t n;
    gw_auth_cache_invalidate(c, "apps:garbage");
    gw_auth_cache_stats(c, &hits, &misses, &n);
    is_int(n, 0, "empty cache stays empty");

    /* A look-up that began before a catalog change and is answered after its NOTIFY must not be cached. */
    char key[80], other[80];
    snprintf(key, sizeof(key), "%s/%s", L, "9f0e2d3c-4b5a-4697-8877-665544332211");
    snprintf(other, sizeof(other), "%s/%s", "11111111-2222-4333-8444-555555555555",
             "66666666-7777-4888-8999-aaaaaaaaaaaa");
    gw_principal_t got;
    p.app_enabled = 1;
    uint64_t g = gw_auth_cache_generation(c);
    gw_auth_cache_invalidate(c, "apps:9f0e2d3c-4b5a-4697-8877-665544332211");
    is_int(gw_auth_cache_put(c, key, &p, 60, g), 0,
           "an answer older than its app's invalidation is not cached");
    is_int(gw_auth_cache_get(c, key, &got), -1, "so the next request asks the catalog again");
    g = gw_auth_cache_generation(c);
    gw_auth_cache_invalidate(c, "licenses:0b8e2f9c-1234-4abc-8def-0123456789ab");
    is_int(gw_auth_cache_put(c, key, NULL, 10, g), 0, "nor one older than its license's invalidation");
    g = gw_auth_cache_generation(c);
    gw_auth_cache_invalidate(c, "apps:66666666-7777-4888-8999-aaaaaaaaaaaa");
    is_int(gw_auth_cache_put(c, key, &p, 60, g), 1, "an invalidation of another pair does not stop caching");
    is_int(gw_auth_cache_get(c, key, &got), 1, "cached answer is served");
    ok(got.app_enabled, "with its row");
    g = gw_auth_cache_generation(c);
    gw_auth_cache_flush(c);
    is_int(gw_auth_cache_put(c, other, &p, 60, g), 0,
           "a flush (listener reconnect) stops every look-up in flight");
    g = gw_auth_cache_generation(c);
    gw_auth_cache_invalidate(c, "tiers:standard");
    is_int(gw_auth_cache_put(c, other, &p, 60, g), 0, "a tier change stops every look-up in flight");
    g = gw_auth_cache_generation(c);
    for (int i = 0; i < 1000; ++i)
        gw_auth_cache_invalidate(c, "apps:66666666-7777-4888-8999-aaaaaaaaaaab");
    is_int(gw_auth_cache_put(c, other, &p, 60, g), 0,
           "after more invalidations than are remembered, nothing older is cached");
    g = gw_auth_cache_generation(c);
    is_int(gw_auth_cache_put(c, other, &p, 60, g), 1, "a look-up with no change since it began is cached");

    /* A notification read by one thread's listener reaches every thread's cache before its next look-up. */
    gw_auth_cache_t *c2 = gw_auth_cache_create(16);
    is_int(gw_auth_cache_put(c2, other, &p, 60, gw_auth_cache_generation(c2)), 1, "the second thread caches");
    g = gw_auth_cache_generation(c);
    gw_auth_notice("apps:66666666-7777-4888-8999-aaaaaaaaaaaa");
    is_int(gw_auth_cache_get(c, other, &got), -1, "a posted notice drops the pair in the first cache");
    is_int(gw_auth_cache_get(c2, other, &got), -1, "and in the second, whose listener never read it");
    is_int(gw_auth_cache_put(c, other, &p, 60, g), 0, "and stops a look-up that began before it");
    is_int(gw_auth_cache_put(c2, key, &p, 60, gw_auth_cache_generation(c2)), 1, "other pairs cache again");
    for (int i = 0; i < 600; ++i)
        gw_auth_notice("apps:66666666-7777-4888-8999-aaaaaaaaaaab");
    is_int(gw_auth_cache_get(c2, key, &got), -1,
           "more notices than the board keeps: the cache starts afresh");
    gw_auth_cache_destroy(c2);
    gw_auth_cache_destroy(c);
    return done_testing();
}
