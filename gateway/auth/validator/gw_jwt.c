/* gw_jwt.c - the validation pipeline of auth/validator (krakend-compat §4.3-§4.4, §4.8): token
 * extraction, policy from the config (never from the token), key choice, signature, claims. */
#include "gw_jwt.h"

#include "cmn_json.h"
#include "cmn_str.h"
#include "gw_claims.h"
#include "gw_jose_json.h"
#include "gw_jwk_int.h"
#include "gw_jws.h"
#include "gw_jwt_cache.h"
#include "gw_validator_config.h"


#include <stdio.h>
#include <string.h>

#define BEARER "Bearer "
#define BEARER_LEN 7
#define KEY_ID_MAX 2048

int gw_jwt_result_status(enum gw_jwt_result r)
{
    switch (r) {
    case GW_JWT_OK:
        return 200;
    case GW_JWT_ROLES:
    case GW_JWT_SCOPES:
        return 403;
    case GW_JWT_NOMEM:
        return 500;
    default:
        return 401;
    }
}

bool gw_jwt_result_wants_refetch(enum gw_jwt_result r)
{
    return r == GW_JWT_UNKNOWN_KEY;
}

const char *gw_jwt_log_text(enum gw_jwt_result r, const struct cmn_err *err, char *buf, size_t size)
{
    const char *detail = err && err->msg[0] ? err->msg : "unknown error";

    if (size == 0)
        return buf;
    if (r == GW_JWT_OK)
        snprintf(buf, size, "Token accepted");
    else if (r == GW_JWT_ROLES)
        snprintf(buf, size, "Token sent by client does not have sufficient roles");
    else if (r == GW_JWT_SCOPES)
        snprintf(buf, size, "Token sent by client does not have the required scopes");
    else if (r == GW_JWT_REVOKED)
        snprintf(buf, size, "Token sent by client rejected");
    else
        snprintf(buf, size, "Unable to validate the token: %s", detail);
    return buf;
}

/* Cookie header "a=b; name=value; c=d" -> value of name (quotes removed as Go's net/http
 * does); borrowed pointer into the header. */
static bool find_cookie(const char *hdr, const char *name, const char **val, size_t *len)
{
    size_t nl = strlen(name);
    const char *p = hdr;

    while (p && *p) {
        const char *end = strchr(p, ';');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        while (seg && (*p == ' ' || *p == '\t'))
            p++, seg--;
        if (seg > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t vl = seg - nl - 1;
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
                v++, vl -= 2;
            *val = v;
            *len = vl;
            return vl > 0;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

enum gw_jwt_result gw_jwt_extract(const struct gw_validator_config *vc, const char *auth_header,
                                  const char *cookie_header, const char **token, size_t *len)
{
    *token = NULL;
    *len = 0;
    if (auth_header && *auth_header) {
        size_t n = strlen(auth_header);
        /* §4.3: "Bearer " of any case is removed when the value is longer than it; a value
         * without it is taken as the token itself. */
        if (n > BEARER_LEN && strncasecmp(auth_header, BEARER, BEARER_LEN) == 0) {
            auth_header += BEARER_LEN;
            n -= BEARER_LEN;
        }
        *token = auth_header;
        *len = n;
        return GW_JWT_OK;
    }
    if (cookie_header && vc && vc->cookie_key &&
        find_cookie(cookie_header, vc->cookie_key, token, len))
        return GW_JWT_OK;
    return GW_JWT_NOT_FOUND;
}

static enum gw_jwt_result fail(struct cmn_err *err, enum gw_jwt_result r, const char *msg)
{
    cmn_err_set(err, (int)r, "%s", msg);
    return r;
}

/* The identifier a strategy reads from the token header or from a key (§4.2). */
static void ident(enum gw_key_strategy s, const char *kid, const char *x5t, const char *x5t256,
                  char *out, size_t size)
{
    switch (s) {
    case GW_KEYID_X5T:
        snprintf(out, size, "%s", x5t ? x5t : (kid ? kid : ""));
        break;
    case GW_KEYID_X5T_S256:
        snprintf(out, size, "%s", x5t256 ? x5t256 : (kid ? kid : ""));
        break;
    case GW_KEYID_KID_X5T:
        snprintf(out, size, "%s%s", kid ? kid : "", x5t ? x5t : "");
        break;
    default:
        snprintf(out, size, "%s", kid ? kid : "");
        break;
    }
}

/* Picks the key named by the token under the configured strategy whose type fits the
 * configured alg. A token without kid matches keys without kid, as in KrakenD (§4.6). */
static enum gw_jwt_result find_key(const struct gw_validator_config *vc, const struct gw_jwks *keys,
                                   const struct gw_jws_token *t, const struct gw_jwk **out,
                                   struct cmn_err *err)
{
    char want[KEY_ID_MAX], have[KEY_ID_MAX];
    bool named = false;
    struct cmn_err kerr = {0};

    *out = NULL;
    if (!keys || gw_jwks_count(keys) == 0)
        return fail(err, GW_JWT_NO_KEYS, "no Keys has been found");
    ident(vc->key_identify_strategy, t->kid, t->x5t, t->x5t_s256, want, sizeof(want));
    for (size_t i = 0; i < gw_jwks_count(keys); i++) {
        const struct gw_jwk *k = gw_jwks_at(keys, i);
        ident(vc->key_identify_strategy, k->kid, k->x5t, k->x5t_s256, have, sizeof(have));
        if (strcmp(want, have) != 0)
            continue;
        named = true;
        if (gw_jws_key_fits(vc->alg, k, &kerr) == GW_JWS_OK) {
            *out = k;
            return GW_JWT_OK;
        }
    }
    if (named) {
        cmn_err_set(err, GW_JWT_KEY_UNFIT, "go-jose/go-jose: unsupported key type/format (%s)",
                    kerr.msg);
        return GW_JWT_KEY_UNFIT;
    }
    return fail(err, GW_JWT_UNKNOWN_KEY, "no Keys have been found");
}

/* Claim checks that run on every request, cached or not: registered claims, then the
 * rejecters (krakend-jose runs them before roles and scopes, so a revoked token is a 401 even
 * without the roles), then roles and scopes. */
static enum gw_jwt_result check_claims(const struct gw_validator_config *vc,
                                       const struct gw_claims *c, int64_t now,
                                       const struct gw_jwt_rejecter *rej, struct cmn_err *err)
{
    enum gw_jwt_result r = gw_claims_check_registered(c, vc, now, err);

    if (r != GW_JWT_OK)
        return r;
    if (rej && rej->rejected && rej->rejected(rej->ctx, gw_claims_json(c)))
        return fail(err, GW_JWT_REVOKED, "Token sent by client rejected");
    if (!gw_claims_roles_ok(c, vc))
        return fail(err, GW_JWT_ROLES, "Token sent by client does not have sufficient roles");
    if (!gw_claims_scopes_ok(c, vc))
        return fail(err, GW_JWT_SCOPES, "Token sent by client does not have the required scopes");
    return GW_JWT_OK;
}

static int64_t expiry_of(const struct gw_claims *c)
{
    const json_t *exp = json_object_get(gw_claims_json(c), "exp");
    double f;

    if (!json_is_number(exp))
        return INT64_MAX;
    f = json_is_integer(exp) ? (double)json_integer_value(exp) : json_real_value(exp);
    if (f >= 9.2e18)
        return INT64_MAX;
    return f <= -9.2e18 ? INT64_MIN : (int64_t)f;
}

/* parse -> alg -> key -> signature -> claims JSON. On success *claims and *key are set. */
static enum gw_jwt_result verify(const struct gw_validator_config *vc, const char *token,
                                 size_t len, const struct gw_jwks *keys, struct gw_claims **claims,
                                 const struct gw_jwk **key, struct cmn_err *err)
{
    struct gw_jws_token t;
    struct cmn_err jerr = {0};
    enum gw_jws_status js;
    enum gw_jwt_result r;
    json_t *payload;

    js = gw_jws_parse(token, len, &t, err);
    if (js == GW_JWS_CRIT)
        return GW_JWT_CRIT;
    if (js == GW_JWS_NOMEM)
        return GW_JWT_NOMEM;
    if (js != GW_JWS_OK)
        return GW_JWT_MALFORMED;
    /* RFC 8725 §3.1 / §2.1: the configured algorithm, exactly; "none" can never be configured */
    if (strcmp(t.alg, gw_jose_alg_name(vc->alg)) != 0) {
        r = fail(err, GW_JWT_ALG_MISMATCH, "algorithm is invalid");
        goto out;
    }
    r = find_key(vc, keys, &t, key, err);
    if (r != GW_JWT_OK)
        goto out;
    js = gw_jws_verify(vc->alg, *key, t.signing_input, t.signing_input_len, t.sig, t.sig_len, err);
    if (js != GW_JWS_OK) {
        r = js == GW_JWS_KEY_UNFIT ? GW_JWT_KEY_UNFIT : GW_JWT_BAD_SIGNATURE;
        goto out;
    }
    /* Only now, with the signature checked, is the payload read (RFC 8725 §3.11). */
    payload = gw_jose_json_load((const char *)t.payload, t.payload_len, GW_JWS_MAX_TOKEN,
                                GW_JWS_CLAIMS_DEPTH, &jerr);
    if (!payload || !json_is_object(payload)) {
        json_decref(payload);
        cmn_err_set(err, GW_JWT_BAD_CLAIMS,
                    "go-jose/go-jose/jwt: claims are not a strict JSON "
                    "object%s%s",
                    payload ? "" : ": ", payload ? "" : jerr.msg);
        r = GW_JWT_BAD_CLAIMS;
        goto out;
    }
    *claims = gw_claims_new(payload);
    r = *claims ? GW_JWT_OK : fail(err, GW_JWT_NOMEM, "out of memory");
out:
    gw_jws_token_free(&t);
    return r;
}

enum gw_jwt_result gw_jwt_validate_cached(const struct gw_validator_config *vc,
                                          struct gw_jwt_cache *cache, const char *token, size_t len,
                                          const struct gw_jwks *keys, int64_t now,
                                          const struct gw_jwt_rejecter *rej,
                                          struct gw_claims **out, struct cmn_err *err)
{
    struct gw_claims *claims = NULL;
    const struct gw_jwk *key = NULL;
    enum gw_jwt_result r;

    *out = NULL;
    if (!vc || vc->errored)
        return fail(err, GW_JWT_CONFIG_ERRORED,
                    vc && vc->error ? vc->error : "the validator configuration is not usable");
    if (!token || len == 0)
        return fail(err, GW_JWT_NOT_FOUND, "Token not found");
    if (cache && len <= GW_JWS_MAX_TOKEN)
        claims = gw_jwt_cache_get(cache, token, len, vc->alg, keys, now);
    if (!claims) {
        r = verify(vc, token, len, keys, &claims, &key, err);
        if (r != GW_JWT_OK)
            return r;
        if (cache && len <= GW_JWS_MAX_TOKEN)
            gw_jwt_cache_put(cache, token, len, vc->alg, key->fingerprint, gw_jwks_serial(keys), claims,
                             now, expiry_of(claims));
    }
    r = check_claims(vc, claims, now, rej, err);
    if (r != GW_JWT_OK) {
        gw_claims_unref(claims);
        return r;
    }
    *out = claims;
    cmn_err_clear(err);
    return GW_JWT_OK;
}

enum gw_jwt_result gw_jwt_validate(const struct gw_validator_config *vc, const char *token,
                                   size_t len, const struct gw_jwks *keys, int64_t now,
                                   struct gw_claims **out, struct cmn_err *err)
{
    return gw_jwt_validate_cached(vc, NULL, token, len, keys, now, NULL, out, err);
}
