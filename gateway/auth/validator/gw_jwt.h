/* gw_jwt.h - the validator's entry points: extract a bearer token from a request (§4.3),
 * validate it against an endpoint's config and key set (§4.4), and say what to answer and log
 * (§4.4, §4.8). Pure logic: the caller passes the key set and the time. */
#ifndef GW_JWT_H
#define GW_JWT_H

#include "cmn_err.h"
#include "gw_jwk.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_validator_config;
struct gw_claims;
struct gw_jwt_cache;

/* Why a token was refused; 0 = accepted. gw_jwt_result_status() maps each to 401/403. */
enum gw_jwt_result {
    GW_JWT_OK = 0,
    GW_JWT_NOT_FOUND,    /* no token in the header or cookie */
    GW_JWT_MALFORMED,    /* not a strict compact JWS / JSON / caps exceeded */
    GW_JWT_ALG_MISMATCH, /* header alg != configured alg (incl. "none") */
    GW_JWT_CRIT,         /* RFC 7515 §4.1.11 */
    GW_JWT_NO_KEYS,      /* no key set yet, or it is empty */
    GW_JWT_UNKNOWN_KEY,  /* no key with the token's kid / x5t: a refetch may help */
    GW_JWT_KEY_UNFIT,    /* the key found cannot verify this alg (type, curve, size) */
    GW_JWT_BAD_SIGNATURE,
    GW_JWT_BAD_CLAIMS, /* payload not an object, registered claims of the wrong type */
    GW_JWT_ISSUER,
    GW_JWT_AUDIENCE,
    GW_JWT_NOT_YET_VALID,    /* nbf */
    GW_JWT_EXPIRED,          /* exp */
    GW_JWT_ISSUED_IN_FUTURE, /* iat */
    GW_JWT_REVOKED,          /* a rejecter (auth/revoker) refused the valid token */
    GW_JWT_ROLES,            /* 403 */
    GW_JWT_SCOPES,           /* 403 */
    GW_JWT_CONFIG_ERRORED,   /* the endpoint's validator config is errored: always 401 */
    GW_JWT_NOMEM,            /* 500 */
};

/* HTTP status for a result: 200 for OK, 403 for roles/scopes, 500 for NOMEM, else 401. */
int gw_jwt_result_status(enum gw_jwt_result r);

/* The operation_debug log text after "[ENDPOINT: /x][JWTValidator] " (§4.8), e.g.
 * "Unable to validate the token: algorithm is invalid" or "Token sent by client does not have
 * sufficient roles". err is the one gw_jwt_validate filled. Writes into buf (NUL-terminated,
 * truncated to size) and returns buf. */
const char *gw_jwt_log_text(enum gw_jwt_result r, const struct cmn_err *err, char *buf,
                            size_t size);

/* Token extraction (§4.3). auth_header: the first value of vc->auth_header_name, or NULL;
 * cookie_header: the request's Cookie header, or NULL. A present header wins (a leading
 * "Bearer " of any case is removed, a value without it is the token itself); only without it
 * is the vc->cookie_key cookie used. On success *token / *len point into the inputs (borrowed).
 * Returns GW_JWT_OK or GW_JWT_NOT_FOUND. */
enum gw_jwt_result gw_jwt_extract(const struct gw_validator_config *vc, const char *auth_header,
                                  const char *cookie_header, const char **token, size_t *len);

/* Validates a compact JWS token of len bytes with the endpoint's config vc against the key set
 * keys (borrowed; NULL when none has arrived yet) at Unix time now (seconds):
 * parse -> alg -> key -> signature -> claims (types, iss, aud, nbf, exp, iat) -> roles ->
 * scopes. On GW_JWT_OK *out receives the claims (owned: gw_claims_unref); on failure *out is
 * NULL and err holds KrakenD's wording of the reason (for gw_jwt_log_text). */
enum gw_jwt_result gw_jwt_validate(const struct gw_validator_config *vc, const char *token,
                                   size_t len, const struct gw_jwks *keys, int64_t now,
                                   struct gw_claims **out, struct cmn_err *err);

/* krakend-jose's rejecters: a last word on a token whose signature and registered claims are
 * valid, before roles and scopes are looked at (auth/revoker's bloom filter). rejected() gets
 * the claims (borrowed) on the validating thread and returns true to refuse the token: 401,
 * "Token sent by client rejected". */
struct gw_jwt_rejecter {
    bool (*rejected)(void *ctx, const json_t *claims);
    void *ctx;
};

/* The same through a verified-token cache (gw_jwt_cache.h; NULL = no cache): a token whose
 * signature was verified before under the same alg with a key still in `keys` skips the
 * signature check; the claim checks (time, iss, aud, the rejecter rej (may be NULL), roles,
 * scopes) run every time. */
enum gw_jwt_result gw_jwt_validate_cached(const struct gw_validator_config *vc,
                                          struct gw_jwt_cache *cache, const char *token, size_t len,
                                          const struct gw_jwks *keys, int64_t now,
                                          const struct gw_jwt_rejecter *rej,
                                          struct gw_claims **out, struct cmn_err *err);

/* Whether a result asks the JWKS cache for a refetch (rate-limited): only a kid missing from a
 * key set we have. GW_JWT_NO_KEYS does not: before the first set arrives the fetcher retries on
 * its own, and such requests must not spend the source's cooldown. */
bool gw_jwt_result_wants_refetch(enum gw_jwt_result r);

#endif
