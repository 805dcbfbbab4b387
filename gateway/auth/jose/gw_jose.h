/* gw_jose.h - JWS algorithm identifiers (RFC 7518 §3.1, RFC 8037 §3.1) shared by the JOSE layer. */
#ifndef GW_JOSE_H
#define GW_JOSE_H

#include <stdbool.h>
#include <stddef.h>

/* The algorithms a validator can be configured with. 0 is "none of them": `none` and every
 * unknown name map to it, so it can never be configured (RFC 8725 §3.1). */
enum gw_jose_alg {
    GW_ALG_INVALID = 0,
    GW_ALG_HS256,
    GW_ALG_HS384,
    GW_ALG_HS512,
    GW_ALG_RS256,
    GW_ALG_RS384,
    GW_ALG_RS512,
    GW_ALG_PS256,
    GW_ALG_PS384,
    GW_ALG_PS512,
    GW_ALG_ES256,
    GW_ALG_ES384,
    GW_ALG_ES512,
    GW_ALG_EDDSA,
};

/* Exact, case-sensitive lookup of a JWS "alg" name ("RS256", "EdDSA"); GW_ALG_INVALID for
 * "none", "", "rs256" and anything else. */
enum gw_jose_alg gw_jose_alg_from_name(const char *name);
/* The canonical name ("RS256"); "" for GW_ALG_INVALID. Static storage. */
const char *gw_jose_alg_name(enum gw_jose_alg alg);

/* Families, for key-type checks (RFC 7518 §6.1 "kty" values). */
bool gw_jose_alg_is_hmac(enum gw_jose_alg alg);
bool gw_jose_alg_is_rsa(enum gw_jose_alg alg); /* RS* and PS* */
bool gw_jose_alg_is_ecdsa(enum gw_jose_alg alg);

/* Size in bytes of the SHA-2 digest the algorithm uses (32, 48, 64); 0 for EdDSA. */
size_t gw_jose_alg_hash_len(enum gw_jose_alg alg);

#endif
