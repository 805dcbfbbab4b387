/* mt_app.c - applications and their OAuth client configuration (spec §6). The client secret
 * is returned once, at creation; the store keeps only its SHA-256. */
#include "mt_store_int.h"

#include "cmn_rand.h"

#include <stdlib.h>
#include <string.h>

#define MT_CLIENT_ID_MAX 255
#define MT_SECRET_MAX 1024
#define MT_LIST_MAX 64

static const char *const grant_types[] = {"authorization_code",
                                          "client_credentials",
                                          "refresh_token",
                                          "urn:ietf:params:oauth:grant-type:token-exchange",
                                          "urn:openid:params:grant-type:ciba",
                                          NULL};
static const char *const auth_methods[] = {"client_secret_basic", "client_secret_post",
                                           "private_key_jwt", "none", NULL};

static bool in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(v, *list))
            return true;
    return false;
}

/* An array of at most MT_LIST_MAX strings, each in `allowed` when given; NULL/null -> dflt. */
static enum mt_e str_array(const json_t *v, const char *const *allowed, enum mt_e bad_type,
                           enum mt_e bad_value, json_t *dflt, json_t **out)
{
    size_t i;
    json_t *e;

    *out = NULL;
    if (!v || json_is_null(v)) {
        *out = dflt;
        return MT_E_OK;
    }
    json_decref(dflt);
    if (!json_is_array(v) || json_array_size(v) > MT_LIST_MAX)
        return bad_type;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return bad_type;
        if (allowed && !in_list(json_string_value(e), allowed))
            return bad_value;
    }
    *out = json_deep_copy(v);
    return MT_E_OK;
}

static enum mt_e opt_bool(const json_t *cfg, const char *key, json_t *dst)
{
    json_t *v = json_object_get(cfg, key);

    if (v && !json_is_null(v) && !json_is_boolean(v))
        return MT_E_APP_INVALID_INBOUND;
    json_object_set_new(dst, key, json_boolean(json_is_true(v)));
    return MT_E_OK;
}

/* Validates one oauth2 config into *cfg_out (stored form, no secret) and *secret (owned or NULL
 * when the request gave none). */
static enum mt_e read_oauth(const struct mt_store *s, const json_t *cfg, const json_t *self,
                            json_t **cfg_out, char **secret)
{
    char *cid = NULL, *method = NULL;
    json_t *c = json_object(), *v, *tok;
    enum mt_e e;

    *cfg_out = NULL;
    if (!json_is_object(cfg)) {
        e = MT_E_APP_INVALID_INBOUND;
        goto out;
    }
    if ((e = mt_body_str(cfg, "clientId", false, MT_CLIENT_ID_MAX, false,
                         MT_E_APP_INVALID_CLIENT_ID, &cid)) ||
        (e = mt_body_str(cfg, "clientSecret", false, MT_SECRET_MAX, false, MT_E_APP_INVALID_INBOUND,
                         secret)) ||
        (e = mt_body_str(cfg, "tokenEndpointAuthMethod", false, 64, false,
                         MT_E_APP_INVALID_AUTH_METHOD, &method)))
        goto out;
    if (method && !in_list(method, auth_methods)) {
        e = MT_E_APP_INVALID_AUTH_METHOD;
        goto out;
    }
    if (cid && *cid) {
        json_t *other = mt_store_app_by_client(s, cid);
        if (other && other != self) {
            e = MT_E_APP_CLIENT_ID_EXISTS;
            goto out;
        }
    } else {
        free(cid);
        cid = NULL;
        v = self ? json_object_get(self, "clientId") : NULL;
        if (json_is_string(v))
            cid = cmn_strndup(json_string_value(v), json_string_length(v));
        else if ((cid = malloc(23)) && !cmn_rand_b64url(cid, 22)) {
            e = MT_E_INTERNAL;
            goto out;
        }
        if (!cid) {
            e = MT_E_INTERNAL;
            goto out;
        }
    }
    json_object_set_new(c, "clientId", json_string(cid));
    if ((e = str_array(json_object_get(cfg, "redirectUris"), NULL, MT_E_APP_INVALID_INBOUND,
                       MT_E_APP_INVALID_INBOUND, json_array(), &v)))
        goto out;
    json_object_set_new(c, "redirectUris", v);
    if ((e = str_array(json_object_get(cfg, "grantTypes"), grant_types, MT_E_APP_INVALID_GRANT,
                       MT_E_APP_INVALID_GRANT, json_pack("[s]", "authorization_code"), &v)))
        goto out;
    json_object_set_new(c, "grantTypes", v);
    if ((e = str_array(json_object_get(cfg, "responseTypes"), NULL, MT_E_APP_INVALID_INBOUND,
                       MT_E_APP_INVALID_INBOUND, json_array(), &v)))
        goto out;
    json_object_set_new(c, "responseTypes", v);
    json_object_set_new(c, "tokenEndpointAuthMethod",
                        json_string(method ? method : "client_secret_basic"));
    if ((e = opt_bool(cfg, "pkceRequired", c)) || (e = opt_bool(cfg, "publicClient", c)))
        goto out;
    if ((v = json_object_get(cfg, "scopes")) && !json_is_null(v)) {
        if ((e = str_array(v, NULL, MT_E_APP_INVALID_INBOUND, MT_E_APP_INVALID_INBOUND, NULL, &v)))
            goto out;
        json_object_set_new(c, "scopes", v);
    }
    if ((tok = json_object_get(cfg, "token")) && !json_is_null(tok)) {
        json_t *vp = json_object_get(json_object_get(tok, "accessToken"), "validityPeriod");
        if (!json_is_object(tok) || (vp && !json_is_null(vp) &&
                                     (!json_is_integer(vp) || json_integer_value(vp) <= 0 ||
                                      json_integer_value(vp) > 10 * 365 * 86400))) {
            e = MT_E_APP_INVALID_INBOUND;
            goto out;
        }
        json_object_set(c, "token", tok);
    }
    *cfg_out = c;
    c = NULL;
out:
    free(cid);
    free(method);
    json_decref(c);
    return e;
}

struct app_input {
    char *name, *desc, *ou, *template, *url, *logo, *secret;
    json_t *cfg; /* stored oauth config or NULL */
};

static void app_input_free(struct app_input *in)
{
    free(in->name);
    free(in->desc);
    free(in->ou);
    free(in->template);
    free(in->url);
    free(in->logo);
    free(in->secret);
    json_decref(in->cfg);
}

static enum mt_e app_read(const struct mt_store *s, const json_t *body, const json_t *self,
                          struct app_input *in)
{
    const enum mt_e bad = MT_E_APP_INVALID_REQUEST;
    json_t *iac, *first;
    enum mt_e e;
    json_t *other;

    if (!json_is_object(body))
        return bad;
    if ((e = mt_body_str(body, "name", true, MT_NAME_MAX, true, MT_E_APP_INVALID_NAME,
                         &in->name)) ||
        (e = mt_body_str(body, "description", false, MT_DESC_MAX, true, bad, &in->desc)) ||
        (e = mt_body_str(body, "ouId", true, 64, false, bad, &in->ou)) ||
        (e = mt_body_str(body, "template", false, 64, false, bad, &in->template)) ||
        (e = mt_body_str(body, "url", false, 2048, false, bad, &in->url)) ||
        (e = mt_body_str(body, "logoUrl", false, 2048, false, bad, &in->logo)))
        return e;
    if (!mt_store_find(s->ous, "id", in->ou))
        return bad;
    other = mt_store_find(s->apps, "name", in->name);
    if (other && other != self)
        return MT_E_APP_NAME_EXISTS;
    iac = json_object_get(body, "inboundAuthConfig");
    if (!iac || json_is_null(iac) || (json_is_array(iac) && !json_array_size(iac)))
        return MT_E_OK;
    if (!json_is_array(iac) || json_array_size(iac) > 1)
        return MT_E_APP_INVALID_INBOUND;
    first = json_array_get(iac, 0);
    if (!json_is_object(first) || strcmp(mt_str(first, "type"), "oauth2"))
        return MT_E_APP_INVALID_INBOUND;
    return read_oauth(s, json_object_get(first, "config"), self, &in->cfg, &in->secret);
}

/* Stored object in the answer's field order; internal members start with '_'. */
static json_t *app_object(const char *id, const struct app_input *in, const char *secret_hash)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "id", id, "ouId", in->ou, "name", in->name);

    mt_set_opt(o, "description", in->desc);
    if (in->cfg)
        json_object_set(o, "clientId", json_object_get(in->cfg, "clientId"));
    mt_set_opt(o, "template", in->template);
    mt_set_opt(o, "url", in->url);
    mt_set_opt(o, "logoUrl", in->logo);
    json_object_set_new(o, "isRegistrationFlowEnabled", json_false());
    json_object_set_new(o, "isRecoveryFlowEnabled", json_false());
    json_object_set_new(o, "isReadOnly", json_false());
    if (in->cfg) {
        json_object_set_new(o, "inboundAuthConfig",
                            json_pack("[{s:s, s:O}]", "type", "oauth2", "config", in->cfg));
        json_object_set_new(o, "_secretHash", json_string(secret_hash ? secret_hash : ""));
    }
    return o;
}

/* Copy of the answer with the secret placed after clientId in the oauth config. */
static json_t *with_secret(const json_t *app, const char *secret)
{
    json_t *out = mt_public_copy(app);
    json_t *iac = json_object_get(out, "inboundAuthConfig");
    json_t *cfg = json_object_get(json_array_get(iac, 0), "config");
    json_t *n;
    const char *k;
    json_t *v;

    if (!cfg || !secret)
        return out;
    n = json_object();
    json_object_foreach(cfg, k, v)
    {
        json_object_set(n, k, v);
        if (!strcmp(k, "clientId"))
            json_object_set_new(n, "clientSecret", json_string(secret));
    }
    iac = json_pack("[{s:s, s:o}]", "type", "oauth2", "config", n);
    json_object_set_new(out, "inboundAuthConfig", iac);
    return out;
}

static bool is_public(const json_t *cfg)
{
    return json_is_true(json_object_get(cfg, "publicClient")) ||
           !strcmp(mt_str(cfg, "tokenEndpointAuthMethod"), "none");
}

enum mt_e mt_app_list(const struct mt_store *s, json_t **out)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "description",
                                       "clientId",
                                       "logoUrl",
                                       "isRegistrationFlowEnabled",
                                       "isRecoveryFlowEnabled",
                                       "template",
                                       "isReadOnly",
                                       NULL};
    json_t *list = json_array();
    size_t i;
    json_t *a;

    json_array_foreach(s->apps, i, a)
    {
        json_t *o = json_object();
        for (const char *const *k = keys; *k; k++)
            if (json_object_get(a, *k))
                json_object_set(o, *k, json_object_get(a, *k));
        json_array_append_new(list, o);
    }
    *out = json_pack("{s:I, s:I, s:o}", "totalResults", (json_int_t)json_array_size(list), "count",
                     (json_int_t)json_array_size(list), "applications", list);
    return MT_E_OK;
}

enum mt_e mt_app_create(struct mt_store *s, const json_t *body, json_t **out)
{
    struct app_input in = {0};
    char id[37], hash[65], gen[44];
    const char *secret = NULL;
    json_t *o;
    enum mt_e e = app_read(s, body, NULL, &in);

    if (e)
        goto out;
    if (!mt_store_has_room(s, s->apps)) {
        e = MT_E_LIMIT;
        goto out;
    }
    if (in.cfg && !is_public(in.cfg)) {
        if (in.secret && *in.secret)
            secret = in.secret;
        else if (cmn_rand_b64url(gen, 43))
            secret = gen;
        else {
            e = MT_E_INTERNAL;
            goto out;
        }
        mt_secret_hash(secret, hash);
    }
    if (!mt_new_id(id) || !(o = app_object(id, &in, secret ? hash : NULL))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_array_append_new(s->apps, o);
    *out = with_secret(o, secret);
out:
    app_input_free(&in);
    return e;
}

enum mt_e mt_app_get(const struct mt_store *s, const char *id, json_t **out)
{
    json_t *a = mt_store_find(s->apps, "id", id);

    if (!a)
        return MT_E_APP_NOT_FOUND;
    *out = mt_public_copy(a);
    return MT_E_OK;
}

enum mt_e mt_app_update(struct mt_store *s, const char *id, const json_t *body, json_t **out)
{
    struct app_input in = {0};
    json_t *a = mt_store_find(s->apps, "id", id), *o = NULL;
    char hash[65];
    const char *old_hash;
    enum mt_e e;

    if (!a)
        return MT_E_APP_NOT_FOUND;
    if ((e = app_read(s, body, a, &in)))
        goto out;
    old_hash = cmn_json_str(a, "_secretHash");
    if (in.secret && *in.secret)
        mt_secret_hash(in.secret, hash);
    else
        cmn_strlcpy(hash, old_hash ? old_hash : "", sizeof(hash));
    if (!(o = app_object(id, &in, in.cfg && !is_public(in.cfg) ? hash : NULL))) {
        e = MT_E_INTERNAL;
        goto out;
    }
    json_object_set(o, "isReadOnly", json_object_get(a, "isReadOnly"));
    json_object_clear(a);
    json_object_update(a, o);
    *out = mt_public_copy(a);
out:
    json_decref(o);
    app_input_free(&in);
    return e;
}

enum mt_e mt_app_delete(struct mt_store *s, const char *id)
{
    size_t i, j;
    json_t *r, *as, *e;

    if (!mt_store_find(s->apps, "id", id))
        return MT_E_APP_NOT_FOUND;
    json_array_foreach(s->roles, i, r)
    {
        as = json_object_get(r, "assignments");
        for (j = json_array_size(as); j-- > 0;) {
            e = json_array_get(as, j);
            if (!strcmp(mt_str(e, "id"), id) && !strcmp(mt_str(e, "type"), "app"))
                json_array_remove(as, j);
        }
    }
    mt_store_remove(s->apps, id);
    return MT_E_OK;
}
