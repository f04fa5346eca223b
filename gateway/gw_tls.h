/*
 * gw_tls: the node's TLS server context, its certificate and its session-ticket keys.
 *
 * One SSL_CTX lives as long as the node and is shared by every loop thread's TLS listener. The certificate
 * and key are not stored in it: a certificate callback hands each new handshake the pair in use, so that
 * gw_tls_reload (SIGHUP, on the main thread) can replace the pair while connections keep running. A pair that
 * cannot be read, does not match its key or has expired is refused and the one in use stays.
 *
 * Session tickets are encrypted with a key of this process that gw_tls_tick replaces every
 * GW_TLS_TICKET_ROTATE_S seconds; the previous key still decrypts (and the ticket is then renewed), so a
 * ticket resumes for at most twice that time and a stolen key exposes at most two hours of sessions.
 *
 * Every function may be called from any thread; the handshake callbacks run on loop threads.
 */
#ifndef OCRGATE_GW_TLS_H
#define OCRGATE_GW_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#define GW_TLS_TICKET_ROTATE_S 3600

typedef struct gw_tls gw_tls_t;
typedef struct gw_tls_cred gw_tls_cred_t;

/* Reads a PEM certificate chain and its private key and checks that they belong together; NULL with a
 * sentence naming the file in err. The caller releases it (gw_tls_cred_release). */
gw_tls_cred_t *gw_tls_cred_load(const char *cert_file, const char *key_file, char *err, size_t errlen);
void gw_tls_cred_release(gw_tls_cred_t *cred);
/* The leaf certificate's end of validity (epoch seconds) and its subject, for logs and `ocrgate check`. */
int64_t gw_tls_cred_not_after(const gw_tls_cred_t *cred);
void gw_tls_cred_subject(const gw_tls_cred_t *cred, char *buf, size_t len);

/* Builds the context with the pair from the files; `now` starts the first ticket key's hour. */
__attribute__((warn_unused_result)) gw_tls_t *gw_tls_create(const char *cert_file, const char *key_file,
                                                            int http2, int64_t now, char *err, size_t errlen);
void gw_tls_destroy(gw_tls_t *tls);
/* The context for h2o's accept contexts; owned by tls. */
SSL_CTX *gw_tls_ctx(gw_tls_t *tls);
/* Reads the files again; on success new handshakes get the new pair, on failure (-1, err says why) nothing
 * changes. */
__attribute__((warn_unused_result)) int gw_tls_reload(gw_tls_t *tls, int64_t now, char *err, size_t errlen);
/* Rotates the ticket key when it is GW_TLS_TICKET_ROTATE_S old; returns 1 when it did. */
int gw_tls_tick(gw_tls_t *tls, int64_t now);

#endif
