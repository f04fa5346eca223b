/* gw_tls: real handshakes over memory BIOs against the node's context: certificate reload, refused pairs,
 * ticket-key rotation, and the cipher list. */
#include "gateway/gw_tls.h"
#include "tests/unit/tap.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/ocrgate-tls-XXXXXX";
static char cert_path[256], key_path[256];

/* Writes a self-signed P-256 certificate for `cn` valid from `from_days` to `to_days` (relative to now) and
 * its key; `key_out` (if not NULL) gets a second copy of the key for mismatch tests. */
static void write_pair(const char *cert_file, const char *key_file, const char *cn, long from_days,
                       long to_days)
{
    static long serial = 1;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    if (cert_file != NULL) {
        FILE *f = fopen(cert_file, "w");
        PEM_write_X509(f, x);
        fclose(f);
    }
    if (key_file != NULL) {
        FILE *f = fopen(key_file, "w");
        PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
        fclose(f);
    }
    X509_free(x);
    EVP_PKEY_free(key);
}

typedef struct {
    int ok, reused;
    char subject[256];
    SSL_SESSION *session; /* the client's session after the handshake (caller frees) */
} hs_t;

static void pump(SSL *client, SSL *server, int *cd, int *sd)
{
    for (int i = 0; i < 20 && (*cd != 1 || *sd != 1); ++i) {
        if (*cd != 1)
            *cd = SSL_do_handshake(client);
        if (*sd != 1)
            *sd = SSL_do_handshake(server);
    }
}

/* A full client handshake against `sctx` (TLS up to max_version), resuming `resume` if given; a byte of
 * application data each way so that TLS 1.3 tickets reach the client. `keep` (if not NULL) gets the
 * connection, still open. */
/* A clean close: OpenSSL marks the session of a connection freed without one as not resumable. */
static void close_pair(SSL *c, SSL *s)
{
    SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(c);
    SSL_free(s);
}

static hs_t handshake(SSL_CTX *sctx, int max_version, SSL_SESSION *resume, SSL **keep_c, SSL **keep_s)
{
    hs_t h;
    memset(&h, 0, sizeof(h));
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(cctx, max_version);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    SSL_CTX_free(cctx); /* held by c */
    BIO *bc, *bs;
    BIO_new_bio_pair(&bc, 0, &bs, 0);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (resume != NULL)
        SSL_set_session(c, resume);
    int cd = 0, sd = 0;
    pump(c, s, &cd, &sd);
    char b[4];
    h.ok = cd == 1 && sd == 1 && SSL_write(s, "s", 1) == 1 && SSL_read(c, b, 1) == 1 &&
           SSL_write(c, "c", 1) == 1 && SSL_read(s, b, 1) == 1;
    h.reused = SSL_session_reused(c);
    X509 *peer = SSL_get1_peer_certificate(c);
    if (peer != NULL)
        X509_NAME_oneline(X509_get_subject_name(peer), h.subject, sizeof(h.subject));
    X509_free(peer);
    h.session = SSL_get1_session(c);
    if (keep_c != NULL) {
        *keep_c = c, *keep_s = s;
    } else {
        close_pair(c, s);
    }
    ERR_clear_error();
    return h;
}

static void expect_subject(gw_tls_t *tls, const char *want, const char *name)
{
    hs_t h = handshake(gw_tls_ctx(tls), TLS1_3_VERSION, NULL, NULL, NULL);
    ok(h.ok, "%s: handshake", name);
    is_str(h.subject, want, name);
    SSL_SESSION_free(h.session);
}

static void test_cred_errors(void)
{
    char err[512], other_key[300];
    snprintf(other_key, sizeof(other_key), "%s/other.key", dir);
    ok(gw_tls_cred_load("/nonexistent/cert.pem", key_path, err, sizeof(err)) == NULL, "missing certificate");
    ok(strstr(err, "tls_cert_file /nonexistent/cert.pem: cannot read") != NULL, "names the file: %s", err);
    write_pair(NULL, other_key, "other", -1, 30);
    ok(gw_tls_cred_load(cert_path, other_key, err, sizeof(err)) == NULL, "key of another certificate");
    ok(strstr(err, "does not match the certificate") != NULL, "says they do not match: %s", err);
    ok(gw_tls_cred_load(key_path, key_path, err, sizeof(err)) == NULL, "a key given as the certificate");
    ok(strstr(err, "no PEM certificate") != NULL, "says there is no certificate: %s", err);
    gw_tls_cred_t *cred = gw_tls_cred_load(cert_path, key_path, err, sizeof(err));
    ok(cred != NULL, "a good pair loads");
    int64_t left = gw_tls_cred_not_after(cred) - (int64_t)time(NULL);
    ok(left > 29 * 86400 && left <= 30 * 86400, "end of validity read from the certificate");
    gw_tls_cred_release(cred);
}

static void test_reload(gw_tls_t *tls)
{
    char err[512], junk_key[300];
    int64_t now = (int64_t)time(NULL);
    expect_subject(tls, "/CN=first", "the certificate of the files");

    SSL *c, *s;
    hs_t open_conn = handshake(gw_tls_ctx(tls), TLS1_3_VERSION, NULL, &c, &s);
    SSL_SESSION_free(open_conn.session);

    /* A renewal gone wrong: new certificate, old key. */
    snprintf(junk_key, sizeof(junk_key), "%s/junk.key", dir);
    write_pair(cert_path, junk_key, "second", -1, 60);
    is_int(gw_tls_reload(tls, now, err, sizeof(err)), -1,
           "a certificate that does not match the key is refused");
    ok(strstr(err, "does not match") != NULL, "with the reason: %s", err);
    expect_subject(tls, "/CN=first", "the old certificate stays in use");

    write_pair(cert_path, key_path, "expired", -10, -1);
    is_int(gw_tls_reload(tls, now, err, sizeof(err)), -1, "an expired certificate is refused");
    ok(strstr(err, "expired") != NULL, "with the reason: %s", err);
    expect_subject(tls, "/CN=first", "the old certificate stays in use");

    FILE *f = fopen(cert_path, "w");
    fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    is_int(gw_tls_reload(tls, now, err, sizeof(err)), -1, "a damaged certificate file is refused");
    expect_subject(tls, "/CN=first", "the old certificate stays in use");

    write_pair(cert_path, key_path, "second", -1, 60);
    is_int(gw_tls_reload(tls, now, err, sizeof(err)), 0, "a good new pair loads");
    expect_subject(tls, "/CN=second", "new handshakes see the new certificate");

    char b[4];
    ok(SSL_write(s, "x", 1) == 1 && SSL_read(c, b, 1) == 1 && SSL_write(c, "y", 1) == 1 &&
           SSL_read(s, b, 1) == 1,
       "a connection made before the reload keeps working");
    close_pair(c, s);
}

static void test_tickets(gw_tls_t *tls, int version, const char *vname)
{
    int64_t now = (int64_t)time(NULL) + 100000 * (version == TLS1_3_VERSION); /* each run its own hours */
    gw_tls_tick(tls, now);
    hs_t first = handshake(gw_tls_ctx(tls), version, NULL, NULL, NULL);
    ok(first.ok && !first.reused && first.session != NULL, "%s: full handshake gives a ticket", vname);
    hs_t again = handshake(gw_tls_ctx(tls), version, first.session, NULL, NULL);
    ok(again.ok && again.reused, "%s: the ticket resumes", vname);

    is_int(gw_tls_tick(tls, now + 60), 0, "no rotation before the hour");
    is_int(gw_tls_tick(tls, now + GW_TLS_TICKET_ROTATE_S), 1, "rotation after the hour");
    hs_t prev = handshake(gw_tls_ctx(tls), version, first.session, NULL, NULL);
    ok(prev.ok && prev.reused, "%s: a ticket of the previous key still resumes", vname);

    is_int(gw_tls_tick(tls, now + 2 * GW_TLS_TICKET_ROTATE_S), 1, "second rotation");
    hs_t gone = handshake(gw_tls_ctx(tls), version, first.session, NULL, NULL);
    ok(gone.ok && !gone.reused, "%s: a ticket two keys old no longer resumes (full handshake)", vname);
    hs_t renewed = handshake(gw_tls_ctx(tls), version, prev.session, NULL, NULL);
    ok(renewed.ok && renewed.reused, "%s: the ticket renewed under the previous key resumes", vname);
    SSL_SESSION_free(first.session);
    SSL_SESSION_free(again.session);
    SSL_SESSION_free(prev.session);
    SSL_SESSION_free(gone.session);
    SSL_SESSION_free(renewed.session);
}

static void test_ciphers(gw_tls_t *tls)
{
    STACK_OF(SSL_CIPHER) *list = SSL_CTX_get_ciphers(gw_tls_ctx(tls));
    int dhe = 0, ecdhe = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
        int kx = SSL_CIPHER_get_kx_nid(sk_SSL_CIPHER_value(list, i));
        dhe += kx == NID_kx_dhe;
        ecdhe += kx == NID_kx_ecdhe;
    }
    is_int(dhe, 0, "no DHE suites (the node sets no DH parameters)");
    ok(ecdhe >= 6, "the ECDHE suites of the intermediate profile");
}

int main(void)
{
    char err[512];
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", dir);
    snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
    write_pair(cert_path, key_path, "first", -1, 30);

    test_cred_errors();
    gw_tls_t *tls = gw_tls_create(cert_path, key_path, 0, (int64_t)time(NULL), err, sizeof(err));
    ok(tls != NULL, "context created: %s", tls ? "" : err);
    test_ciphers(tls);
    test_tickets(tls, TLS1_2_VERSION, "TLS 1.2");
    test_tickets(tls, TLS1_3_VERSION, "TLS 1.3");
    test_reload(tls);
    gw_tls_destroy(tls);

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return done_testing();
}
