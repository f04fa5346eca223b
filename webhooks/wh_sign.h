/*
 * wh_sign: Standard Webhooks signing. Secrets are "whsec_" + base64 of WH_SECRET_BYTES random bytes; a
 * message is signed as "v1," + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")) with the
 * decoded key, and several signatures (a secret being rotated out and its successor) are separated by spaces.
 *
 * Pure and reentrant, any thread (the gateway's loop threads make secrets, the delivery threads sign). Every
 * string is written into the caller's buffer; nothing returned needs freeing.
 */
#ifndef OCRGATE_WH_SIGN_H
#define OCRGATE_WH_SIGN_H

#include <stddef.h>

#define WH_SECRET_PREFIX "whsec_"
#define WH_SECRET_BYTES 32
/* "whsec_" + base64 of 32 bytes (44 characters) + NUL */
#define WH_SECRET_MAX 64
/* "v1," + base64 of a SHA-256 (44 characters) + NUL */
#define WH_SIGNATURE_MAX 48

/* A new secret from the operating system's random source; 0 or -1 when it could not be read. */
__attribute__((warn_unused_result)) int wh_secret_new(char out[WH_SECRET_MAX]);
/* "v1,<base64>" for one secret; -1 when the secret is not "whsec_" + base64 of 24 to 64 bytes. */
__attribute__((warn_unused_result)) int wh_sign(const char *secret, const char *msg_id, long long timestamp,
                                                const char *body, size_t len, char out[WH_SIGNATURE_MAX]);

#endif
