/* gw_validator_config.c - auth/validator options (krakend-compat §4.1-§4.2) decoded as Go's
 * encoding/json decodes krakend-jose's SignatureConfig, then checked as KrakenD checks them. */
#include "gw_validator_config.h"

#include "cmn_b64.h"
#include "cmn_go_json.h"
#include "cmn_str.h"
#include "cmn_go_duration.h"

#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)
#define DEFAULT_CACHE_S 900

enum opt_type { T_STR, T_BOOL, T_STRLIST, T_UINT32, T_U16LIST, T_PAIRS };

/* Raw values as decoded, before defaults and checks. */
struct raw {
    char *alg, *jwk_url, *jwk_local_path, *jwk_local_ca, *key_identify_strategy, *issuer;
    char *roles_key, *scopes_key, *scopes_matcher, *cookie_key, *auth_header_name, *leeway;
    char *failed_jwk_key_cooldown, *secret_url, *cypher_key;
    bool disable_jwk_security, cache, roles_key_is_nested, preserve_array, operation_debug;
    int64_t cache_duration;
    struct gw_strlist fingerprints, audience, roles, scopes;
    uint16_t *suites;
    size_t n_suites;
    struct gw_claim_header *pairs;
    size_t n_pairs;
};

/* The option table (after redis' static_configs[]): JSON name, Go type name for messages, our
 * type, destination in struct raw. */
static const struct opt {
    const char *name;
    const char *go_type;
    enum opt_type type;
    size_t off;
} OPTS[] = {
    {"alg", "string", T_STR, offsetof(struct raw, alg)},
    {"jwk_url", "string", T_STR, offsetof(struct raw, jwk_url)},
    {"jwk_local_path", "string", T_STR, offsetof(struct raw, jwk_local_path)},
    {"disable_jwk_security", "bool", T_BOOL, offsetof(struct raw, disable_jwk_security)},
    {"jwk_fingerprints", "string", T_STRLIST, offsetof(struct raw, fingerprints)},
    {"jwk_local_ca", "string", T_STR, offsetof(struct raw, jwk_local_ca)},
    {"cipher_suites", "uint16", T_U16LIST, offsetof(struct raw, suites)},
    {"cache", "bool", T_BOOL, offsetof(struct raw, cache)},
    {"cache_duration", "uint32", T_UINT32, offsetof(struct raw, cache_duration)},
    {"failed_jwk_key_cooldown", "string", T_STR, offsetof(struct raw, failed_jwk_key_cooldown)},
    {"key_identify_strategy", "string", T_STR, offsetof(struct raw, key_identify_strategy)},
    {"issuer", "string", T_STR, offsetof(struct raw, issuer)},
    {"audience", "string", T_STRLIST, offsetof(struct raw, audience)},
    {"roles", "string", T_STRLIST, offsetof(struct raw, roles)},
    {"roles_key", "string", T_STR, offsetof(struct raw, roles_key)},
    {"roles_key_is_nested", "bool", T_BOOL, offsetof(struct raw, roles_key_is_nested)},
    {"scopes", "string", T_STRLIST, offsetof(struct raw, scopes)},
    {"scopes_key", "string", T_STR, offsetof(struct raw, scopes_key)},
    {"scopes_matcher", "string", T_STR, offsetof(struct raw, scopes_matcher)},
    {"cookie_key", "string", T_STR, offsetof(struct raw, cookie_key)},
    {"auth_header_name", "string", T_STR, offsetof(struct raw, auth_header_name)},
    {"leeway", "string", T_STR, offsetof(struct raw, leeway)},
    {"propagate_claims", "string", T_PAIRS, offsetof(struct raw, pairs)},
    {"propagate_claims_preserve_array", "bool", T_BOOL, offsetof(struct raw, preserve_array)},
    {"operation_debug", "bool", T_BOOL, offsetof(struct raw, operation_debug)},
    {"secret_url", "string", T_STR, offsetof(struct raw, secret_url)},
    {"cypher_key", "string", T_STR, offsetof(struct raw, cypher_key)},
};

/* Keys seen in real configs that KrakenD silently ignores (§4.2); `check` mentions them. */
static const char *const IGNORED_LOOKALIKES[] = {
    "jwk-url", "roles-key", "propagate-claims", "scope_key", "scopes-key", "roles-key-is-nested",
};

static void strlist_free(struct gw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static bool strlist_push(struct gw_strlist *l, const char *s)
{
    char **items;

    if (l->n >= GW_VC_MAX_LIST)
        return false;
    items = realloc(l->items, (l->n + 1) * sizeof(*items));
    if (!items)
        return false;
    l->items = items;
    l->items[l->n] = cmn_strndup(s, strlen(s));
    if (!l->items[l->n])
        return false;
    l->n++;
    return true;
}

/* Go's wording for a type error, so logs read as KrakenD's. */
static bool type_error(struct cmn_err *err, const json_t *v, const char *name, const char *go)
{
    cmn_err_set(err, 1,
                "json: cannot unmarshal %s into Go struct field SignatureConfig.%s of "
                "type %s",
                cmn_go_json_kind(v), name, go);
    return false;
}

static bool decode_strlist(const json_t *v, const struct opt *o, struct gw_strlist *l,
                           struct cmn_err *err)
{
    size_t i;
    json_t *it;

    if (!json_is_array(v))
        return type_error(err, v, o->name, "[]string");
    l->set = true;
    json_array_foreach(v, i, it)
    {
        if (!json_is_null(it) && !json_is_string(it))
            return type_error(err, it, o->name, "string");
        /* null becomes Go's zero value, "" */
        if (!strlist_push(l, json_is_null(it) ? "" : json_string_value(it)))
            return cmn_err_set(err, 1, "%s: more than %d items or out of memory", o->name,
                               GW_VC_MAX_LIST),
                   false;
    }
    return true;
}

static bool decode_u16list(const json_t *v, const struct opt *o, struct raw *r, struct cmn_err *err)
{
    size_t i;
    json_t *it;

    if (!json_is_array(v))
        return type_error(err, v, o->name, "[]uint16");
    if (json_array_size(v) > GW_VC_MAX_LIST)
        return cmn_err_set(err, 1, "%s: more than %d items", o->name, GW_VC_MAX_LIST), false;
    r->suites = calloc(json_array_size(v) + 1, sizeof(*r->suites));
    if (!r->suites)
        return cmn_err_set(err, 1, "out of memory"), false;
    json_array_foreach(v, i, it)
    {
        if (!json_is_integer(it) || json_integer_value(it) < 0 ||
            json_integer_value(it) > UINT16_MAX)
            return type_error(err, it, o->name, "uint16");
        r->suites[r->n_suites++] = (uint16_t)json_integer_value(it);
    }
    return true;
}

/* [][2]string: tuples of another length are skipped, as KrakenD skips them (§4.2). */
static bool decode_pairs(const json_t *v, const struct opt *o, struct raw *r, struct cmn_err *err)
{
    size_t i;
    json_t *it;

    if (!json_is_array(v))
        return type_error(err, v, o->name, "[][]string");
    if (json_array_size(v) > GW_VC_MAX_LIST)
        return cmn_err_set(err, 1, "%s: more than %d items", o->name, GW_VC_MAX_LIST), false;
    r->pairs = calloc(json_array_size(v) + 1, sizeof(*r->pairs));
    if (!r->pairs)
        return cmn_err_set(err, 1, "out of memory"), false;
    json_array_foreach(v, i, it)
    {
        json_t *a = json_array_get(it, 0), *b = json_array_get(it, 1);
        if (!json_is_array(it))
            return type_error(err, it, o->name, "[]string");
        for (size_t j = 0; j < json_array_size(it); j++)
            if (!json_is_string(json_array_get(it, j)))
                return type_error(err, json_array_get(it, j), o->name, "string");
        if (json_array_size(it) != 2)
            continue;
        r->pairs[r->n_pairs].claim = cmn_strndup(json_string_value(a), json_string_length(a));
        r->pairs[r->n_pairs].header = cmn_strndup(json_string_value(b), json_string_length(b));
        r->n_pairs++;
        if (!r->pairs[r->n_pairs - 1].claim || !r->pairs[r->n_pairs - 1].header)
            return cmn_err_set(err, 1, "out of memory"), false;
    }
    return true;
}

static bool decode_one(const json_t *v, const struct opt *o, struct raw *r, struct cmn_err *err)
{
    void *dst = (char *)r + o->off;

    if (json_is_null(v))
        return true; /* Go leaves the zero value */
    switch (o->type) {
    case T_STR:
        if (!json_is_string(v))
            return type_error(err, v, o->name, o->go_type);
        if (json_string_length(v) > GW_VC_MAX_STRING)
            return cmn_err_set(err, 1, "%s: longer than %d bytes", o->name, GW_VC_MAX_STRING),
                   false;
        *(char **)dst = cmn_strndup(json_string_value(v), json_string_length(v));
        return *(char **)dst ? true : (cmn_err_set(err, 1, "out of memory"), false);
    case T_BOOL:
        if (!json_is_boolean(v))
            return type_error(err, v, o->name, o->go_type);
        *(bool *)dst = json_is_true(v);
        return true;
    case T_UINT32:
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > (json_int_t)UINT32_MAX)
            return type_error(err, v, o->name, o->go_type);
        *(int64_t *)dst = (int64_t)json_integer_value(v);
        return true;
    case T_STRLIST:
        return decode_strlist(v, o, dst, err);
    case T_U16LIST:
        return decode_u16list(v, o, r, err);
    case T_PAIRS:
        return decode_pairs(v, o, r, err);
    }
    return true;
}

static void raw_free(struct raw *r)
{
    char **strs[] = {&r->alg,
                     &r->jwk_url,
                     &r->jwk_local_path,
                     &r->jwk_local_ca,
                     &r->key_identify_strategy,
                     &r->issuer,
                     &r->roles_key,
                     &r->scopes_key,
                     &r->scopes_matcher,
                     &r->cookie_key,
                     &r->auth_header_name,
                     &r->leeway,
                     &r->failed_jwk_key_cooldown,
                     &r->secret_url,
                     &r->cypher_key};

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    strlist_free(&r->fingerprints);
    strlist_free(&r->audience);
    strlist_free(&r->roles);
    strlist_free(&r->scopes);
    free(r->suites);
    for (size_t i = 0; i < r->n_pairs; i++) {
        free(r->pairs[i].claim);
        free(r->pairs[i].header);
    }
    free(r->pairs);
}

/* Padded base64url (Go's base64.URLEncoding) of a 32-byte SHA-256. */
static bool decode_fingerprint(const char *s, unsigned char out[32])
{
    size_t n = strlen(s), pad = 0, len;
    unsigned char buf[64];

    if (n % 4 != 0 || n > 64)
        return false;
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
        pad++;
    if (!cmn_b64url_decode(s, n - pad, buf, &len) || len != 32)
        return false;
    memcpy(out, buf, 32);
    return true;
}

static char *dupstr(const char *s)
{
    return cmn_strndup(s, strlen(s));
}

static char *dup_or(char **src, const char *dflt)
{
    char *s = *src;

    if (s && *s) {
        *src = NULL; /* moved */
        return s;
    }
    return dupstr(dflt);
}

#define MOVE(dst, src) ((dst) = (src), (src) = NULL)

static enum gw_vc_status finish(struct gw_validator_config *vc, struct raw *r, struct cmn_err *err);

enum gw_vc_status gw_validator_config_parse(const json_t *ns_obj, const char *json_path,
                                            struct gw_validator_config **out, struct cmn_err *err)
{
    struct gw_validator_config *vc = NULL;
    struct raw r;
    struct cmn_err derr = {0};
    enum gw_vc_status st = GW_VC_NOMEM;
    bool decoded = true;

    memset(&r, 0, sizeof(r));
    *out = NULL;
    vc = calloc(1, sizeof(*vc));
    if (!vc || !(vc->json_path = dupstr(json_path ? json_path : ""))) {
        cmn_err_set(err, GW_VC_NOMEM, "out of memory");
        goto out;
    }
    if (!json_is_object(ns_obj)) {
        decoded = false;
        type_error(&derr, ns_obj, "", "SignatureConfig");
    }
    /* Like encoding/json: keep going after a type error, remember the first one. */
    for (size_t i = 0; decoded && i < sizeof(OPTS) / sizeof(OPTS[0]); i++) {
        json_t *v = json_object_get(ns_obj, OPTS[i].name);
        if (v && !decode_one(v, &OPTS[i], &r, &derr))
            decoded = false;
    }
    for (size_t i = 0; json_is_object(ns_obj) && i < sizeof(IGNORED_LOOKALIKES) / sizeof(char *);
         i++)
        if (json_object_get(ns_obj, IGNORED_LOOKALIKES[i]) &&
            !strlist_push(&vc->warnings, IGNORED_LOOKALIKES[i]))
            goto nomem;
    if (!decoded) {
        vc->errored = true;
        vc->error = dupstr(derr.msg);
        vc->alg = gw_jose_alg_from_name(r.alg);
        st = vc->error ? GW_VC_OK : GW_VC_NOMEM;
        goto out;
    }
    st = finish(vc, &r, err);
    if (st == GW_VC_FATAL)
        cmn_err_prefix(err, "%s: ", vc->json_path);
    goto out;
nomem:
    cmn_err_set(err, GW_VC_NOMEM, "out of memory");
    st = GW_VC_NOMEM;
out:
    raw_free(&r);
    if (st != GW_VC_OK) {
        gw_validator_config_destroy(vc);
        return st;
    }
    *out = vc;
    return GW_VC_OK;
}

static enum gw_vc_status set_warning(struct gw_validator_config *vc, const char *msg)
{
    return strlist_push(&vc->warnings, msg) ? GW_VC_OK : GW_VC_NOMEM;
}

/* Defaults and KrakenD's checks, in KrakenD's order: the https check makes the endpoint
 * errored (401) before NewValidator's fatal checks would run. */
static enum gw_vc_status finish(struct gw_validator_config *vc, struct raw *r, struct cmn_err *err)
{
    int64_t ns;

    /* KrakenD checks jwk_url only, so an empty one (jwk_local_path) needs
     * disable_jwk_security too (§4.1). */
    if (!cmn_str_has_prefix(r->jwk_url ? r->jwk_url : "", "https://") && !r->disable_jwk_security) {
        vc->errored = true;
        vc->error = dupstr("JWK client is using an insecure connection to the JWK service");
        vc->alg = gw_jose_alg_from_name(r->alg);
        return vc->error ? GW_VC_OK : GW_VC_NOMEM;
    }
    vc->alg = gw_jose_alg_from_name(r->alg);
    if (vc->alg == GW_ALG_INVALID)
        return cmn_err_set(err, GW_VC_FATAL,
                           "JOSE: unknown algorithm %s (one of EdDSA, HS256, "
                           "HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, "
                           "PS512)",
                           r->alg ? r->alg : "(missing alg)"),
               GW_VC_FATAL;
    if (r->cache && r->jwk_local_path && *r->jwk_local_path)
        return cmn_err_set(err, GW_VC_FATAL, "cache could not be used with jwk_local_path"),
               GW_VC_FATAL;
    if (r->fingerprints.n) {
        vc->fingerprints = calloc(r->fingerprints.n, sizeof(*vc->fingerprints));
        if (!vc->fingerprints)
            return GW_VC_NOMEM;
        for (size_t i = 0; i < r->fingerprints.n; i++)
            if (!decode_fingerprint(r->fingerprints.items[i], vc->fingerprints[i]))
                return cmn_err_set(err, GW_VC_FATAL,
                                   "jwk_fingerprints[%zu]: \"%s\" is not the "
                                   "padded base64url of a SHA-256",
                                   i, r->fingerprints.items[i]),
                       GW_VC_FATAL;
    }
    MOVE(vc->jwk_url, r->jwk_url);
    MOVE(vc->jwk_local_path, r->jwk_local_path);
    MOVE(vc->jwk_local_ca, r->jwk_local_ca);
    MOVE(vc->issuer, r->issuer);
    MOVE(vc->secret_url, r->secret_url);
    MOVE(vc->cypher_key, r->cypher_key);
    vc->jwk_fingerprints = r->fingerprints, memset(&r->fingerprints, 0, sizeof(r->fingerprints));
    vc->audience = r->audience, memset(&r->audience, 0, sizeof(r->audience));
    vc->roles = r->roles, memset(&r->roles, 0, sizeof(r->roles));
    vc->scopes = r->scopes, memset(&r->scopes, 0, sizeof(r->scopes));
    vc->cipher_suites = r->suites, vc->n_cipher_suites = r->n_suites, r->suites = NULL;
    vc->propagate_claims = r->pairs, vc->n_propagate_claims = r->n_pairs, r->pairs = NULL;
    r->n_pairs = 0;
    vc->disable_jwk_security = r->disable_jwk_security;
    vc->cache = r->cache;
    vc->cache_duration_s =
        r->cache ? (r->cache_duration ? r->cache_duration : DEFAULT_CACHE_S) : r->cache_duration;
    /* failed_jwk_key_cooldown: below 1 s or unparsable disables it (§4.2). */
    if (r->failed_jwk_key_cooldown && cmn_go_parse_duration(r->failed_jwk_key_cooldown, &ns) &&
        ns >= NS_PER_S)
        vc->failed_jwk_key_cooldown_ms = ns / 1000000;
    vc->key_identify_strategy = GW_KEYID_KID;
    if (r->key_identify_strategy) {
        if (strcmp(r->key_identify_strategy, "x5t") == 0)
            vc->key_identify_strategy = GW_KEYID_X5T;
        else if (strcmp(r->key_identify_strategy, "x5t#S256") == 0)
            vc->key_identify_strategy = GW_KEYID_X5T_S256;
        else if (strcmp(r->key_identify_strategy, "kid_x5t") == 0)
            vc->key_identify_strategy = GW_KEYID_KID_X5T;
    }
    vc->roles_key = dup_or(&r->roles_key, "roles");
    vc->roles_key_is_nested = r->roles_key_is_nested;
    if (r->scopes_key && *r->scopes_key)
        MOVE(vc->scopes_key, r->scopes_key);
    vc->scopes_matcher =
        r->scopes_matcher && strcmp(r->scopes_matcher, "all") == 0 ? GW_SCOPES_ALL : GW_SCOPES_ANY;
    vc->cookie_key = dup_or(&r->cookie_key, "access_token");
    vc->auth_header_name = dup_or(&r->auth_header_name, "Authorization");
    /* leeway: 1 s by default, when unparsable, and as a floor (§4.2). */
    vc->leeway_s = 1;
    if (r->leeway && cmn_go_parse_duration(r->leeway, &ns) && ns / NS_PER_S > 1)
        vc->leeway_s = ns / NS_PER_S;
    vc->propagate_claims_preserve_array = r->preserve_array;
    vc->operation_debug = r->operation_debug;
    if (!vc->roles_key || !vc->cookie_key || !vc->auth_header_name)
        return GW_VC_NOMEM;
    if (vc->scopes.n && !vc->scopes_key &&
        set_warning(vc, "scopes are not enforced without scopes_key (as in KrakenD)") != GW_VC_OK)
        return GW_VC_NOMEM;
    if ((!vc->jwk_url || !*vc->jwk_url) && (!vc->jwk_local_path || !*vc->jwk_local_path)) {
        vc->errored = true;
        vc->error = dupstr("neither jwk_url nor jwk_local_path is set: no keys to validate with");
        return vc->error ? GW_VC_OK : GW_VC_NOMEM;
    }
    if (vc->secret_url || vc->cypher_key) {
        vc->errored = true;
        vc->error = dupstr("secret_url/cypher_key (encrypted jwk_local_path) is not supported");
        return vc->error ? GW_VC_OK : GW_VC_NOMEM;
    }
    return GW_VC_OK;
}

void gw_validator_config_destroy(struct gw_validator_config *vc)
{
    struct raw r;

    if (!vc)
        return;
    /* Reuse raw_free for the members both share. */
    memset(&r, 0, sizeof(r));
    r.jwk_url = vc->jwk_url, r.jwk_local_path = vc->jwk_local_path;
    r.jwk_local_ca = vc->jwk_local_ca, r.issuer = vc->issuer, r.roles_key = vc->roles_key;
    r.scopes_key = vc->scopes_key, r.cookie_key = vc->cookie_key;
    r.auth_header_name = vc->auth_header_name, r.secret_url = vc->secret_url;
    r.cypher_key = vc->cypher_key, r.fingerprints = vc->jwk_fingerprints;
    r.audience = vc->audience, r.roles = vc->roles, r.scopes = vc->scopes;
    r.suites = vc->cipher_suites, r.pairs = vc->propagate_claims;
    r.n_pairs = vc->n_propagate_claims;
    raw_free(&r);
    strlist_free(&vc->warnings);
    free(vc->fingerprints);
    free(vc->error);
    free(vc->json_path);
    free(vc);
}

bool gw_validator_shared_cache_duration(const json_t *ns_obj, int64_t *out_s)
{
    json_t *v = json_object_get(ns_obj, "shared_cache_duration");

    *out_s = DEFAULT_CACHE_S;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    if (json_integer_value(v) > 0)
        *out_s = (int64_t)json_integer_value(v);
    return true;
}
