#include "webhooks/wh_sign.h"

#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

int wh_secret_new(char out[WH_SECRET_MAX])
{
    unsigned char key[WH_SECRET_BYTES];
    if (RAND_bytes(key, sizeof(key)) != 1)
        return -1;
    memcpy(out, WH_SECRET_PREFIX, sizeof(WH_SECRET_PREFIX) - 1);
    EVP_EncodeBlock((unsigned char *)out + sizeof(WH_SECRET_PREFIX) - 1, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    return 0;
}

/* The key bytes of a secret; -1 unless it is base64 of 24 to 64 bytes. */
static int decode_key(const char *secret, unsigned char key[64], int *keylen)
{
    size_t plen = sizeof(WH_SECRET_PREFIX) - 1;
    if (strncmp(secret, WH_SECRET_PREFIX, plen) != 0)
        return -1;
    const char *b = secret + plen;
    size_t n = strlen(b);
    if (n % 4 != 0 || n < 32 || n > 88)
        return -1;
    unsigned char buf[66];
    int len = EVP_DecodeBlock(buf, (const unsigned char *)b, (int)n);
    if (len < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    len -= (b[n - 1] == '=') + (b[n - 2] == '=');
    if (len < 24 || len > 64)
        return -1;
    memcpy(key, buf, (size_t)len);
    OPENSSL_cleanse(buf, sizeof(buf));
    *keylen = len;
    return 0;
}

int wh_sign(const char *secret, const char *msg_id, long long timestamp, const char *body, size_t len,
            char out[WH_SIGNATURE_MAX])
{
    unsigned char key[64], mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    int keylen, ret = -1;
    char head[160];
    int hl = snprintf(head, sizeof(head), "%s.%lld.", msg_id, timestamp);
    if (hl < 0 || (size_t)hl >= sizeof(head) || decode_key(secret, key, &keylen) != 0)
        return -1;
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac != NULL ? EVP_MAC_CTX_new(hmac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
    size_t outl = 0;
    if (ctx != NULL && EVP_MAC_init(ctx, key, (size_t)keylen, params) == 1 &&
        EVP_MAC_update(ctx, (const unsigned char *)head, (size_t)hl) == 1 &&
        EVP_MAC_update(ctx, (const unsigned char *)body, len) == 1 &&
        EVP_MAC_final(ctx, mac, &outl, sizeof(mac)) == 1) {
        maclen = (unsigned int)outl;
        memcpy(out, "v1,", 3);
        EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)maclen);
        ret = 0;
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    OPENSSL_cleanse(key, sizeof(key));
    return ret;
}
