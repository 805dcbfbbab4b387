/* fuzz_signer_jwks.c - libFuzzer target for the signer's JWK Set reader (gw_signing_key_load):
 * public and private keys of every kind, then every algorithm's fit check and a signature with
 * what fits. */
#include "gw_signer_key.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const KIDS[] = {"k1", NULL};
    uint8_t sig[GW_SIGNER_SIG_MAX];
    struct cmn_err err;

    for (size_t i = 0; i < 2; i++) {
        struct gw_signing_key *k = gw_signing_key_load((const char *)data, size, KIDS[i], &err);
        if (!k)
            continue;
        (void)gw_signing_key_kid(k);
        for (int a = GW_SIGN_HS256; a <= GW_SIGN_EDDSA; a++) {
            size_t n = 0;
            if (gw_signing_key_fits(k, (enum gw_sign_alg)a, &err) &&
                gw_signing_key_sign(k, (enum gw_sign_alg)a, (const uint8_t *)"x.y", 3, sig, &n,
                                    &err) &&
                (n == 0 || n > sizeof(sig)))
                __builtin_trap(); /* a signature fits the buffer and is not empty */
        }
        gw_signing_key_destroy(k);
    }
    return 0;
}
