/* fuzz_jwks.c - libFuzzer target for JWK Set parsing (gw_jwks_parse) and key lookups. */
#include "gw_jwk.h"
#include "gw_jws.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum gw_jose_alg ALGS[] = {GW_ALG_HS256, GW_ALG_RS256, GW_ALG_PS512,
                                            GW_ALG_ES256, GW_ALG_ES512, GW_ALG_EDDSA};
    static const unsigned char SIG[132] = {1};
    struct cmn_err err;
    size_t skipped = 0;
    struct gw_jwks *set = gw_jwks_parse((const char *)data, size, &skipped, &err);

    if (!set)
        return 0;
    for (size_t i = 0; i < gw_jwks_count(set); i++) {
        const struct gw_jwk *k = gw_jwks_at(set, i);
        const char *kid = gw_jwk_kid(k);
        (void)gw_jwk_kty(k);
        (void)gw_jwk_alg(k);
        (void)gw_jwk_x5t(k);
        (void)gw_jwk_x5t_s256(k);
        if (gw_jwks_find(set, kid) == NULL && kid)
            __builtin_trap(); /* a key's own kid must find a key */
        /* every parsed key must be safe to hand to the verifier */
        for (size_t a = 0; a < sizeof(ALGS) / sizeof(ALGS[0]); a++) {
            (void)gw_jws_key_fits(ALGS[a], k, &err);
            (void)gw_jws_verify(ALGS[a], k, "x", 1, SIG, 64, &err);
        }
    }
    gw_jwks_unref(gw_jwks_ref(set));
    gw_jwks_unref(set);
    return 0;
}
