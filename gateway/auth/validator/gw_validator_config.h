/* gw_validator_config.h - an endpoint's auth/validator block (krakend-compat §4.1-§4.2) parsed
 * once into an immutable struct. */
#ifndef GW_VALIDATOR_CONFIG_H
#define GW_VALIDATOR_CONFIG_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_jose.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define GW_VALIDATOR_NAMESPACE "github.com/devopsfaith/krakend-jose/validator"

/* Caps on lists the config drives. */
#define GW_VC_MAX_LIST 256
#define GW_VC_MAX_STRING 4096

enum gw_vc_status {
    GW_VC_OK = 0,
    GW_VC_FATAL, /* KrakenD exits at startup (logger.Fatal): unknown alg, cache + local path ... */
    GW_VC_NOMEM,
};

/* key_identify_strategy (§4.2): how a token's header names its key. */
enum gw_key_strategy {
    GW_KEYID_KID = 0,  /* header kid == JWK kid */
    GW_KEYID_X5T,      /* header x5t == JWK x5t (SHA-1); header kid when the token has none */
    GW_KEYID_X5T_S256, /* header x5t#S256 == JWK x5t#S256; idem */
    GW_KEYID_KID_X5T,  /* kid followed by x5t, on both sides */
};

enum gw_scopes_matcher {
    GW_SCOPES_ANY = 0,
    GW_SCOPES_ALL,
};

struct gw_claim_header {
    char *claim;  /* "sub", "realm_access.roles" (nested unless it starts with "http") */
    char *header; /* as configured; the caller canonicalises it as it does for any header */
};

struct gw_validator_config {
    char *json_path;      /* "endpoints[2].extra_config.auth/validator" for messages */
    enum gw_jose_alg alg; /* never GW_ALG_INVALID in a parsed config */
    char *jwk_url;        /* NULL when unset */
    char *jwk_local_path; /* NULL when unset */
    bool disable_jwk_security;
    struct gw_strlist jwk_fingerprints; /* as configured (padded base64url) */
    unsigned char (*fingerprints)[32];  /* decoded SHA-256 of SubjectPublicKeyInfo, one each */
    char *jwk_local_ca;                 /* NULL when unset */
    uint16_t *cipher_suites;            /* NULL when unset: use the defaults of §4.2 */
    size_t n_cipher_suites;
    bool cache;
    int64_t cache_duration_s;           /* 900 when cache is on and no duration was given */
    int64_t failed_jwk_key_cooldown_ms; /* 0 = unset or disabled (< 1 s or unparsable) */
    enum gw_key_strategy key_identify_strategy;
    char *issuer;               /* NULL = not checked */
    struct gw_strlist audience; /* all must be present */
    struct gw_strlist roles;    /* at least one must be present (403) */
    char *roles_key;            /* "roles" by default */
    bool roles_key_is_nested;
    struct gw_strlist scopes; /* enforced only with scopes_key */
    char *scopes_key;         /* NULL = scopes not checked */
    enum gw_scopes_matcher scopes_matcher;
    char *cookie_key;       /* "access_token" by default */
    char *auth_header_name; /* "Authorization" by default */
    int64_t leeway_s;       /* >= 1 (KrakenD raises smaller values to 1 s) */
    struct gw_claim_header *propagate_claims;
    size_t n_propagate_claims;
    bool propagate_claims_preserve_array;
    bool operation_debug;
    char *secret_url, *cypher_key; /* accepted and reported as unsupported (warning) */
    /* When set, the endpoint answers every request with 401, as KrakenD's erroredHandler does,
     * and `error` is the message to log at WARNING ("Unable to parse the configuration: ..."). */
    bool errored;
    char *error;
    struct gw_strlist warnings; /* other things `check` should report (secret_url, ...) */
};

/* Parses the validator namespace object ns_obj (borrowed) of the endpoint at json_path.
 * GW_VC_OK: *out is an owned config (free with gw_validator_config_destroy); it may be
 * `errored` (the endpoint answers 401; log `error` as a warning). GW_VC_FATAL: KrakenD would stop
 * at startup; err says why, prefixed with json_path ("...: JOSE: unknown algorithm RS257").
 * No IO: jwk_local_path / jwk_local_ca are not opened here. */
enum gw_vc_status gw_validator_config_parse(const json_t *ns_obj, const char *json_path,
                                            struct gw_validator_config **out, struct cmn_err *err);
void gw_validator_config_destroy(struct gw_validator_config *vc);

/* Service-level auth/validator block: shared_cache_duration in seconds (900 when the block is
 * present but the value is 0 or absent). Returns false on a type error. */
bool gw_validator_shared_cache_duration(const json_t *ns_obj, int64_t *out_s);

#endif
