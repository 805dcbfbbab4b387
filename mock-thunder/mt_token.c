/* mt_token.c - access tokens: scope filtering, claims, RS256 signing and verification, and the
 * management API's bearer check. */
#include "mt_token.h"

#include "cmn_b64.h"
#include "cmn_buf.h"
#include "cmn_json.h"
#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool in_array(const json_t *arr, const char *v)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        if (json_is_string(e) && !strcmp(json_string_value(e), v))
            return true;
    }
    return false;
}

json_t *mt_scope_filter(const char *requested, const json_t *held)
{
    json_t *out = json_array();
    const char *p = requested ? requested : "";
    size_t count = 0;

    while (*p) {
        size_t n = strcspn(p, " ");
        if (n) {
            char *s = cmn_strndup(p, n);
            if (++count > MT_MAX_SCOPES || !s) {
                free(s);
                json_decref(out);
                return NULL;
            }
            if (in_array(held, s) && !in_array(out, s))
                json_array_append_new(out, json_string(s));
            free(s);
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return out;
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const char *v = cmn_json_str(o, k);
    return v ? v : dflt;
}

json_t *mt_token_claims(const char *issuer, const json_t *app, const json_t *ou,
                        const json_t *granted, const json_t *aud, int64_t now, int64_t validity,
                        const char *jti)
{
    json_t *c = json_object();
    json_t *a =
        json_array_size(aud) == 1 ? json_incref(json_array_get(aud, 0)) : json_deep_copy(aud);

    json_object_set_new(c, "aud", a);
    json_object_set_new(c, "client_id", json_string(str_or(app, "clientId", "")));
    json_object_set_new(c, "exp", json_integer(now + validity));
    json_object_set_new(c, "grant_type", json_string("client_credentials"));
    json_object_set_new(c, "iat", json_integer(now));
    json_object_set_new(c, "iss", json_string(issuer));
    json_object_set_new(c, "jti", json_string(jti));
    json_object_set_new(c, "nbf", json_integer(now));
    json_object_set_new(c, "ouHandle", json_string(str_or(ou, "handle", "")));
    json_object_set_new(c, "ouId", json_string(str_or(app, "ouId", "")));
    json_object_set_new(c, "ouName", json_string(str_or(ou, "name", "")));
    if (json_array_size(granted)) {
        struct cmn_buf b;
        size_t i;
        json_t *g;
        cmn_buf_init(&b, MT_FORM_MAX_VALUE * 2);
        json_array_foreach(granted, i, g)
        {
            if (i)
                cmn_buf_append_str(&b, " ");
            cmn_buf_append_str(&b, json_string_value(g));
        }
        json_object_set_new(c, "scope", json_string(cmn_buf_str(&b)));
        cmn_buf_free(&b);
    }
    json_object_set_new(c, "sub", json_string(str_or(app, "id", "")));
    return c;
}

static char *b64url_str(const void *p, size_t n)
{
    char *s = malloc(cmn_b64url_encoded_len(n) + 1);
    if (s)
        cmn_b64url_encode(p, n, s);
    return s;
}

char *mt_jwt_sign(const struct mt_keyring *keys, const json_t *claims)
{
    char kid[MT_KID_LEN + 1];
    char *h = NULL, *p = NULL, *hb = NULL, *pb = NULL, *sb = NULL, *out = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    json_t *header = NULL;
    struct cmn_buf b;

    cmn_buf_init(&b, MT_TOKEN_MAX);
    if (!keys->n)
        goto done;
    /* The signer's kid goes in the header; sign after building it. */
    header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", mt_key_kid(keys->keys[0]), "typ",
                       "at+jwt");
    if (!header || !(h = cmn_json_dumps_compact(header, true)) ||
        !(p = cmn_json_dumps_compact(claims, true)) || !(hb = b64url_str(h, strlen(h))) ||
        !(pb = b64url_str(p, strlen(p))))
        goto done;
    if (cmn_buf_printf(&b, "%s.%s", hb, pb) != CMN_BUF_OK ||
        !mt_keyring_sign(keys, b.data, b.len, kid, &sig, &sig_len) ||
        strcmp(kid, mt_key_kid(keys->keys[0])) || !(sb = b64url_str(sig, sig_len)) ||
        cmn_buf_printf(&b, ".%s", sb) != CMN_BUF_OK)
        goto done;
    out = cmn_buf_take(&b, NULL);
done:
    cmn_buf_free(&b);
    json_decref(header);
    free(h);
    free(p);
    free(hb);
    free(pb);
    free(sb);
    free(sig);
    return out;
}

/* Decodes a base64url JSON object segment (owned) or NULL. */
static json_t *segment_json(const char *s, size_t n)
{
    unsigned char *buf = malloc(n * 3 / 4 + 4);
    size_t len;
    json_t *v = NULL;

    if (buf && cmn_b64url_decode(s, n, buf, &len))
        v = cmn_json_loadb_strict((const char *)buf, len, MT_TOKEN_MAX, 8, NULL);
    free(buf);
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

json_t *mt_token_verify(const struct mt_oauth_ctx *c, const char *token)
{
    const char *d1, *d2;
    json_t *header = NULL, *claims = NULL;
    unsigned char *sig = NULL;
    size_t sig_len, n = token ? strlen(token) : 0;
    json_t *exp, *nbf;
    bool ok = false;

    if (!n || n > MT_TOKEN_MAX || !(d1 = strchr(token, '.')) || !(d2 = strchr(d1 + 1, '.')) ||
        strchr(d2 + 1, '.'))
        return NULL;
    header = segment_json(token, (size_t)(d1 - token));
    /* RFC 7515 §4.1.1: only the algorithm we sign with, never "none". */
    if (!header || strcmp(cmn_json_str(header, "alg") ? cmn_json_str(header, "alg") : "", "RS256"))
        goto out;
    if (!(sig = malloc(strlen(d2 + 1) * 3 / 4 + 4)) ||
        !cmn_b64url_decode(d2 + 1, strlen(d2 + 1), sig, &sig_len) ||
        !mt_keyring_verify(c->keys, cmn_json_str(header, "kid"), token, (size_t)(d2 - token), sig,
                           sig_len))
        goto out;
    if (!(claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1))))
        goto out;
    exp = json_object_get(claims, "exp");
    nbf = json_object_get(claims, "nbf");
    ok = !strcmp(cmn_json_str(claims, "iss") ? cmn_json_str(claims, "iss") : "", c->issuer) &&
         json_is_integer(exp) && json_integer_value(exp) > c->now &&
         (!nbf || (json_is_integer(nbf) && json_integer_value(nbf) <= c->now + MT_LEEWAY_S));
out:
    json_decref(header);
    free(sig);
    if (!ok) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

bool mt_perm_covers(const char *p, const char *required)
{
    size_t n = strlen(p);

    if (!n)
        return false;
    return !strcmp(p, required) || (!strncmp(required, p, n) && required[n] == ':');
}

enum mt_e mt_token_authorize(const struct mt_oauth_ctx *c, const char *authorization,
                             const char *required)
{
    json_t *claims, *app;
    const char *scope;
    enum mt_e e = MT_E_AUTH_FORBIDDEN;

    if (!authorization || strlen(authorization) < 7 || strncasecmp(authorization, "Bearer ", 7))
        return MT_E_AUTH_UNAUTHORIZED;
    authorization += 7;
    while (*authorization == ' ')
        authorization++;
    if (!(claims = mt_token_verify(c, authorization)))
        return MT_E_AUTH_UNAUTHORIZED;
    app = mt_store_find(c->store->apps, "id", cmn_json_str(claims, "sub"));
    if (!app || !cmn_json_str(claims, "client_id") || !cmn_json_str(app, "clientId") ||
        strcmp(cmn_json_str(app, "clientId"), cmn_json_str(claims, "client_id"))) {
        e = MT_E_AUTH_UNAUTHORIZED; /* the application was deleted or re-keyed */
        goto out;
    }
    scope = cmn_json_str(claims, "scope");
    while (scope && *scope) {
        size_t n = strcspn(scope, " ");
        char *p = cmn_strndup(scope, n);
        bool ok = p && mt_perm_covers(p, required);
        free(p);
        if (ok) {
            e = MT_E_OK;
            break;
        }
        scope += n;
        while (*scope == ' ')
            scope++;
    }
out:
    json_decref(claims);
    return e;
}
