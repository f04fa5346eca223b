#include "gateway/gw_tls.h"

#include <errno.h>
#include <h2o.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Mozilla "intermediate" for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults, all of them acceptable). Its DHE
 * suites are left out: they need DH parameters, which the node does not set, so they could never be chosen.
 */
#define GW_CIPHERS                                                                                           \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"               \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

struct gw_tls_cred {
    X509 *leaf;
    STACK_OF(X509) * chain; /* the certificates after the leaf in the file */
    EVP_PKEY *key;
};

typedef struct {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    int64_t born;
    int valid;
} ticket_key_t;

struct gw_tls {
    SSL_CTX *ctx;
    char *cert_file, *key_file;
    pthread_mutex_t mutex; /* guards cred and the ticket keys */
    gw_tls_cred_t *cred;
    ticket_key_t current, previous;
};

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0; /* an encrypted key is refused instead of prompting on a terminal that may not exist */
}

static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
    return r != NULL ? r : "not PEM";
}

void gw_tls_cred_release(gw_tls_cred_t *cred)
{
    if (cred == NULL)
        return;
    X509_free(cred->leaf);
    sk_X509_pop_free(cred->chain, X509_free);
    EVP_PKEY_free(cred->key);
    free(cred);
}

gw_tls_cred_t *gw_tls_cred_load(const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    gw_tls_cred_t *cred = calloc(1, sizeof(*cred));
    BIO *bio = NULL;
    FILE *f = NULL;
    ERR_clear_error();
    if ((f = fopen(cert_file, "r")) == NULL) {
        snprintf(err, errlen, "tls_cert_file %s: cannot read: %s", cert_file, strerror(errno));
        goto Fail;
    }
    bio = BIO_new_fp(f, BIO_CLOSE);
    f = NULL;
    if ((cred->leaf = PEM_read_bio_X509_AUX(bio, NULL, no_passphrase, NULL)) == NULL) {
        snprintf(err, errlen, "tls_cert_file %s: no PEM certificate in it (%s)", cert_file, ssl_reason());
        goto Fail;
    }
    cred->chain = sk_X509_new_null();
    X509 *ca;
    while ((ca = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL)
        sk_X509_push(cred->chain, ca);
    /* The loop ends at the end of the file (no start line); anything else is a damaged chain. */
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
        snprintf(err, errlen, "tls_cert_file %s: a chain certificate cannot be read (%s)", cert_file,
                 ssl_reason());
        goto Fail;
    }
    BIO_free(bio);
    ERR_clear_error();
    if ((f = fopen(key_file, "r")) == NULL) {
        bio = NULL;
        snprintf(err, errlen, "tls_key_file %s: cannot read: %s", key_file, strerror(errno));
        goto Fail;
    }
    bio = BIO_new_fp(f, BIO_CLOSE);
    f = NULL;
    if ((cred->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL) {
        snprintf(err, errlen, "tls_key_file %s: no unencrypted PEM private key in it (%s)", key_file,
                 ssl_reason());
        goto Fail;
    }
    if (X509_check_private_key(cred->leaf, cred->key) != 1) {
        snprintf(err, errlen, "tls_key_file %s does not match the certificate in tls_cert_file %s", key_file,
                 cert_file);
        goto Fail;
    }
    BIO_free(bio);
    ERR_clear_error();
    return cred;
Fail:
    BIO_free(bio);
    ERR_clear_error();
    gw_tls_cred_release(cred);
    return NULL;
}

int64_t gw_tls_cred_not_after(const gw_tls_cred_t *cred)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cred->leaf), &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm);
}

void gw_tls_cred_subject(const gw_tls_cred_t *cred, char *buf, size_t len)
{
    X509_NAME_oneline(X509_get_subject_name(cred->leaf), buf, (int)len);
}

/* Runs on the loop thread of each handshake, before the cipher is chosen: gives it the pair in use. */
static int on_cert(SSL *ssl, void *arg)
{
    gw_tls_t *tls = arg;
    pthread_mutex_lock(&tls->mutex);
    int ok = SSL_use_cert_and_key(ssl, tls->cred->leaf, tls->cred->key, tls->cred->chain, 1);
    pthread_mutex_unlock(&tls->mutex);
    return ok == 1;
}

static void new_ticket_key(ticket_key_t *k, int64_t now)
{
    if (RAND_bytes(k->name, sizeof(k->name)) != 1 || RAND_bytes(k->aes, sizeof(k->aes)) != 1 ||
        RAND_bytes(k->hmac, sizeof(k->hmac)) != 1)
        abort(); /* without randomness no ticket (and no TLS) can be safe */
    k->born = now;
    k->valid = 1;
}

static int use_ticket_key(const ticket_key_t *k, unsigned char *iv, EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx,
                          int enc)
{
    static char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)k->hmac, sizeof(k->hmac)),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(hctx, params) != 1)
        return -1;
    if (enc)
        return EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) == 1 ? 0 : -1;
    return EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) == 1 ? 0 : -1;
}

/* OpenSSL's ticket callback: 1 = use, 2 = use and issue a fresh ticket, 0 = unknown key (full handshake),
 * -1 = error. Runs on loop threads. */
static int on_ticket(SSL *ssl, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
                     EVP_MAC_CTX *hctx, int enc)
{
    gw_tls_t *tls = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    int ret = 0;
    pthread_mutex_lock(&tls->mutex);
    if (enc) {
        memcpy(name, tls->current.name, sizeof(tls->current.name));
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1 ||
            use_ticket_key(&tls->current, iv, cctx, hctx, 1) != 0)
            ret = -1;
        else
            ret = 1;
    } else if (memcmp(name, tls->current.name, sizeof(tls->current.name)) == 0) {
        ret = use_ticket_key(&tls->current, iv, cctx, hctx, 0) == 0 ? 1 : -1;
    } else if (tls->previous.valid && memcmp(name, tls->previous.name, sizeof(tls->previous.name)) == 0) {
        ret = use_ticket_key(&tls->previous, iv, cctx, hctx, 0) == 0 ? 2 : -1;
    }
    pthread_mutex_unlock(&tls->mutex);
    return ret;
}

gw_tls_t *gw_tls_create(const char *cert_file, const char *key_file, int http2, int64_t now, char *err,
                        size_t errlen)
{
    gw_tls_t *tls = calloc(1, sizeof(*tls));
    pthread_mutex_init(&tls->mutex, NULL);
    tls->cert_file = strdup(cert_file);
    tls->key_file = strdup(key_file);
    if ((tls->cred = gw_tls_cred_load(cert_file, key_file, err, errlen)) == NULL)
        goto Fail;
    new_ticket_key(&tls->current, now);
    if ((tls->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
        SSL_CTX_set_cipher_list(tls->ctx, GW_CIPHERS) != 1) {
        snprintf(err, errlen, "TLS setup failed: %s", ssl_reason());
        goto Fail;
    }
    SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(tls->ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_app_data(tls->ctx, tls);
    SSL_CTX_set_cert_cb(tls->ctx, on_cert, tls);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(tls->ctx, on_ticket);
    /* A ticket is good for one rotation period from its issue; the previous key covers the overlap. */
    SSL_CTX_set_timeout(tls->ctx, GW_TLS_TICKET_ROTATE_S);
    if (http2)
        h2o_ssl_register_alpn_protocols(tls->ctx, h2o_http2_alpn_protocols);
    return tls;
Fail:
    gw_tls_destroy(tls);
    return NULL;
}

void gw_tls_destroy(gw_tls_t *tls)
{
    if (tls == NULL)
        return;
    SSL_CTX_free(tls->ctx);
    gw_tls_cred_release(tls->cred);
    OPENSSL_cleanse(&tls->current, sizeof(tls->current));
    OPENSSL_cleanse(&tls->previous, sizeof(tls->previous));
    pthread_mutex_destroy(&tls->mutex);
    free(tls->cert_file);
    free(tls->key_file);
    free(tls);
}

SSL_CTX *gw_tls_ctx(gw_tls_t *tls)
{
    return tls->ctx;
}

int gw_tls_reload(gw_tls_t *tls, int64_t now, char *err, size_t errlen)
{
    gw_tls_cred_t *cred = gw_tls_cred_load(tls->cert_file, tls->key_file, err, errlen);
    if (cred == NULL)
        return -1;
    /* A renewal that installed an expired certificate would break every client: keep the one in use. */
    if (gw_tls_cred_not_after(cred) <= now) {
        snprintf(err, errlen, "tls_cert_file %s: the certificate has expired", tls->cert_file);
        gw_tls_cred_release(cred);
        return -1;
    }
    pthread_mutex_lock(&tls->mutex);
    gw_tls_cred_t *old = tls->cred;
    tls->cred = cred;
    pthread_mutex_unlock(&tls->mutex);
    /* Connections made with the old pair hold their own references to it. */
    gw_tls_cred_release(old);
    return 0;
}

int gw_tls_tick(gw_tls_t *tls, int64_t now)
{
    int rotated = 0;
    pthread_mutex_lock(&tls->mutex);
    if (now - tls->current.born >= GW_TLS_TICKET_ROTATE_S) {
        tls->previous = tls->current;
        new_ticket_key(&tls->current, now);
        rotated = 1;
    }
    pthread_mutex_unlock(&tls->mutex);
    return rotated;
}
