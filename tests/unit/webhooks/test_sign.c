/* wh_sign: the example of the Standard Webhooks specification, secrets, malformed secrets. */
#include "../tap.h"
#include "webhooks/wh_sign.h"

#include <openssl/evp.h>

int main(void)
{
    char sig[WH_SIGNATURE_MAX], s1[WH_SECRET_MAX], s2[WH_SECRET_MAX];
    const char *body = "{\"test\": 2432232314}";
    ok(wh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body,
               strlen(body), sig) == 0,
       "the specification's example signs");
    is_str(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "and gives the specification's signature");
    ok(wh_secret_new(s1) == 0 && wh_secret_new(s2) == 0, "secrets are made");
    ok(strncmp(s1, "whsec_", 6) == 0 && strlen(s1) == 6 + 44, "whsec_ + base64 of 32 bytes");
    ok(strcmp(s1, s2) != 0, "two secrets differ");
    unsigned char raw[64];
    ok(EVP_DecodeBlock(raw, (const unsigned char *)s1 + 6, 44) == 33, "the base64 decodes (32 bytes + pad)");
    ok(wh_sign(s1, "msg_1", 1, "x", 1, sig) == 0, "a new secret signs");
    ok(wh_sign("whsec_short", "msg_1", 1, "x", 1, sig) != 0, "a secret of too few bytes is refused");
    ok(wh_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, "x", 1, sig) != 0, "no prefix: refused");
    ok(wh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w", "msg_1", 1, "x", 1, sig) != 0,
       "not base64: refused");
    return done_testing();
}
