/* gw_jwk.h - JSON Web Keys (RFC 7517) and key sets, parsed strictly into immutable values.
 * The contract between the JOSE layer (parsing, verification) and the JWKS cache (fetching,
 * sharing, rotation). A key set is immutable after parsing and reference-counted, so the cache
 * can swap in a new set while requests still verify against the old one. */
#ifndef GW_JWK_H
#define GW_JWK_H

#include "cmn_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_jwk;   /* one key: kty, kid, alg, use, crv, key material (opaque) */
struct gw_jwks;  /* an immutable set of keys */

/* Caps that still take real key sets (ThunderID's, Auth0's, Keycloak's). */
#define GW_JWKS_MAX_BYTES (512 * 1024)
#define GW_JWKS_MAX_KEYS 64

/* Parses a JWK Set document ({"keys":[...]}). Keys of unknown kty, or with fields that do not
 * fit their kty, are skipped (counted in *skipped when non-NULL), as RFC 7517 §5 asks; a
 * document that is not a JSON object with a "keys" array, larger than GW_JWKS_MAX_BYTES, or
 * with more than GW_JWKS_MAX_KEYS keys, fails. Returns an owned set (refcount 1) or NULL. */
struct gw_jwks *gw_jwks_parse(const char *data, size_t len, size_t *skipped,
                              struct cmn_err *err);
struct gw_jwks *gw_jwks_ref(struct gw_jwks *set);
/* Drops a reference; frees the set at zero. NULL is accepted. */
void gw_jwks_unref(struct gw_jwks *set);

size_t gw_jwks_count(const struct gw_jwks *set);
/* Borrowed i-th key (valid while the set is referenced). */
const struct gw_jwk *gw_jwks_at(const struct gw_jwks *set, size_t i);
/* Borrowed key with this kid, or NULL. kid may be NULL: then the set's only key, if it has
 * exactly one. */
const struct gw_jwk *gw_jwks_find(const struct gw_jwks *set, const char *kid);

/* Borrowed fields of a key; NULL when absent. */
const char *gw_jwk_kid(const struct gw_jwk *k);
const char *gw_jwk_kty(const struct gw_jwk *k);
const char *gw_jwk_alg(const struct gw_jwk *k);
/* SHA-1 / SHA-256 certificate thumbprints from x5t / x5t#S256 (base64url), NULL if absent. */
const char *gw_jwk_x5t(const struct gw_jwk *k);
const char *gw_jwk_x5t_s256(const struct gw_jwk *k);

#endif
