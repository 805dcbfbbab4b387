/* gw_jwt_cache.h - a bounded, thread-safe cache of tokens whose signature was verified, keyed
 * by the token's bytes, so a repeated token skips the signature check. An entry is
 * usable until the earlier of the token's exp and its key leaving the key set; the claim
 * checks that depend on time (and iss, aud, roles, scopes) still run on every request. */
#ifndef GW_JWT_CACHE_H
#define GW_JWT_CACHE_H

#include "gw_jose.h"
#include "gw_jwk.h"

#include <stddef.h>
#include <stdint.h>

struct gw_claims;
struct gw_jwt_cache;

#define GW_JWT_CACHE_WAYS 4 /* entries per set (set-associative, LRU within a set) */
#define GW_JWT_CACHE_MAX_ENTRIES (1u << 20)

/* capacity: number of entries (rounded up to a multiple of GW_JWT_CACHE_WAYS, at most
 * GW_JWT_CACHE_MAX_ENTRIES); max_ttl_s: lifetime of an entry whose token has no exp.
 * Returns an owned cache (gw_jwt_cache_destroy) or NULL. */
struct gw_jwt_cache *gw_jwt_cache_new(size_t capacity, int64_t max_ttl_s);
void gw_jwt_cache_destroy(struct gw_jwt_cache *c); /* NULL accepted */

/* Returns the cached claims (a new reference: gw_claims_unref) when the same len bytes of
 * token were verified under alg with a key that is still in keys and the entry has not
 * expired at now; else NULL. */
struct gw_claims *gw_jwt_cache_get(struct gw_jwt_cache *c, const char *token, size_t len,
                                   enum gw_jose_alg alg, const struct gw_jwks *keys, int64_t now);

/* Records a verified token (copies its len bytes): key_fingerprint identifies the key that verified it, serial the
 * key set it came from (gw_jwks_serial), expires_at the token's exp (or INT64_MAX when it has
 * none: then now + max_ttl_s). Takes a new reference on claims. Evicts the least recently used
 * entry of the set when it is full. */
void gw_jwt_cache_put(struct gw_jwt_cache *c, const char *token, size_t len, enum gw_jose_alg alg,
                      const uint8_t key_fingerprint[32], uint64_t serial, struct gw_claims *claims,
                      int64_t now, int64_t expires_at);

/* Counters for tests and the benchmark. */
void gw_jwt_cache_stats(struct gw_jwt_cache *c, uint64_t *hits, uint64_t *misses, size_t *used);

#endif
