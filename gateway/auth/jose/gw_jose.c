/* gw_jose.c - JWS algorithm names and families. */
#include "gw_jose.h"

#include <string.h>

static const struct {
    const char *name;
    enum gw_jose_alg alg;
} ALGS[] = {
    {"HS256", GW_ALG_HS256}, {"HS384", GW_ALG_HS384}, {"HS512", GW_ALG_HS512},
    {"RS256", GW_ALG_RS256}, {"RS384", GW_ALG_RS384}, {"RS512", GW_ALG_RS512},
    {"PS256", GW_ALG_PS256}, {"PS384", GW_ALG_PS384}, {"PS512", GW_ALG_PS512},
    {"ES256", GW_ALG_ES256}, {"ES384", GW_ALG_ES384}, {"ES512", GW_ALG_ES512},
    {"EdDSA", GW_ALG_EDDSA},
};

enum gw_jose_alg gw_jose_alg_from_name(const char *name)
{
    if (!name)
        return GW_ALG_INVALID;
    /* RFC 7515 §4.1.1: the value is case-sensitive; "none" is not in the table, so it never
     * maps to an algorithm (RFC 8725 §3.1). */
    for (size_t i = 0; i < sizeof(ALGS) / sizeof(ALGS[0]); i++)
        if (strcmp(ALGS[i].name, name) == 0)
            return ALGS[i].alg;
    return GW_ALG_INVALID;
}

const char *gw_jose_alg_name(enum gw_jose_alg alg)
{
    for (size_t i = 0; i < sizeof(ALGS) / sizeof(ALGS[0]); i++)
        if (ALGS[i].alg == alg)
            return ALGS[i].name;
    return "";
}

bool gw_jose_alg_is_hmac(enum gw_jose_alg alg)
{
    return alg == GW_ALG_HS256 || alg == GW_ALG_HS384 || alg == GW_ALG_HS512;
}

bool gw_jose_alg_is_rsa(enum gw_jose_alg alg)
{
    return alg >= GW_ALG_RS256 && alg <= GW_ALG_PS512;
}

bool gw_jose_alg_is_ecdsa(enum gw_jose_alg alg)
{
    return alg == GW_ALG_ES256 || alg == GW_ALG_ES384 || alg == GW_ALG_ES512;
}

size_t gw_jose_alg_hash_len(enum gw_jose_alg alg)
{
    switch (alg) {
    case GW_ALG_HS256:
    case GW_ALG_RS256:
    case GW_ALG_PS256:
    case GW_ALG_ES256:
        return 32;
    case GW_ALG_HS384:
    case GW_ALG_RS384:
    case GW_ALG_PS384:
    case GW_ALG_ES384:
        return 48;
    case GW_ALG_HS512:
    case GW_ALG_RS512:
    case GW_ALG_PS512:
    case GW_ALG_ES512:
        return 64;
    default:
        return 0;
    }
}
