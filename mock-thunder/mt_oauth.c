/* mt_oauth.c - the token and introspection endpoints: form bodies, client authentication
 * (spec §8 order and errors) and the client_credentials grant. */
#include "mt_token.h"

#include "cmn_b64.h"
#include "cmn_json.h"
#include "cmn_rand.h"
#include "cmn_str.h"
#include "cmn_go_url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MT_MAX_RESOURCES 16

bool mt_form_parse(struct mt_form *f, const char *s, size_t n)
{
    const char *end = s + n;

    memset(f, 0, sizeof(*f));
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(stop - s));
        const char *vstart = eq ? eq + 1 : stop;
        size_t nl = (size_t)((eq ? eq : stop) - s), vl = (size_t)(stop - vstart), ol;
        if (nl || vl) {
            if (f->n >= MT_FORM_MAX_PARAMS || nl > 256 || vl > MT_FORM_MAX_VALUE * 3)
                return false;
            f->names[f->n] = malloc(nl + 1);
            f->values[f->n] = malloc(vl + 1);
            f->n++;
            if (!f->names[f->n - 1] || !f->values[f->n - 1] ||
                !cmn_go_unescape(s, nl, true, f->names[f->n - 1], &ol) ||
                strlen(f->names[f->n - 1]) != ol ||
                !cmn_go_unescape(vstart, vl, true, f->values[f->n - 1], &ol) ||
                strlen(f->values[f->n - 1]) != ol || ol > MT_FORM_MAX_VALUE)
                return false;
        }
        s = stop + 1;
    }
    return true;
}

void mt_form_free(struct mt_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->names[i]);
        free(f->values[i]);
    }
    f->n = 0;
}

const char *mt_form_get(const struct mt_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return f->values[i];
    return NULL;
}

static void reply_error(struct mt_oauth_reply *out, unsigned status, const char *error,
                        const char *desc)
{
    out->status = status;
    json_decref(out->body);
    out->body = json_pack("{s:s, s:s}", "error", error, "error_description", desc);
}

/* Whether the body is a form (Go's ParseForm reads bodies of this type only). */
static bool is_form(const char *ct)
{
    size_t n = strlen("application/x-www-form-urlencoded");
    return ct && !strncasecmp(ct, "application/x-www-form-urlencoded", n) &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Splits "Basic base64(id:secret)" into URL-decoded id and secret (owned). */
static bool parse_basic(const char *h, char **id, char **secret)
{
    unsigned char buf[3072];
    size_t n, len, ol;
    const unsigned char *colon;

    *id = *secret = NULL;
    if (strncasecmp(h, "Basic ", 6))
        return false;
    h += 6;
    while (*h == ' ')
        h++;
    n = strlen(h);
    if (n > 4000 || !cmn_b64_decode(h, n, buf, &len) || !(colon = memchr(buf, ':', len)))
        return false;
    *id = malloc((size_t)(colon - buf) + 1);
    *secret = malloc(len - (size_t)(colon - buf));
    return *id && *secret &&
           cmn_go_unescape((const char *)buf, (size_t)(colon - buf), true, *id, &ol) &&
           strlen(*id) == ol &&
           cmn_go_unescape((const char *)colon + 1, len - (size_t)(colon - buf) - 1, true, *secret,
                           &ol) &&
           strlen(*secret) == ol;
}

/* Client authentication (spec §8): on success returns the application (borrowed); otherwise
 * fills out with the error. */
static json_t *authenticate(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r,
                            const struct mt_form *f, struct mt_oauth_reply *out)
{
    char *bid = NULL, *bsecret = NULL, hash[65];
    const char *id = mt_form_get(f, "client_id"), *secret = mt_form_get(f, "client_secret");
    const char *method, *registered;
    json_t *app = NULL, *cfg;
    bool basic = r->authorization != NULL;

    if (basic) {
        if (!parse_basic(r->authorization, &bid, &bsecret)) {
            reply_error(out, 401, "invalid_client", "Invalid client credentials");
            out->www_basic = true;
            goto fail;
        }
        if (secret || mt_form_get(f, "client_assertion")) {
            reply_error(out, 400, "invalid_request",
                        "Multiple client authentication methods were provided");
            goto fail;
        }
        if (id && strcmp(id, bid)) {
            reply_error(out, 400, "invalid_request",
                        "The client_id in the request body does not match the authenticated "
                        "client");
            goto fail;
        }
        id = bid;
        secret = bsecret;
        method = "client_secret_basic";
    } else if (mt_form_get(f, "client_assertion") || mt_form_get(f, "client_assertion_type")) {
        reply_error(out, 400, secret ? "invalid_request" : "invalid_client",
                    secret ? "Multiple client authentication methods were provided"
                           : "mock-thunder does not implement private_key_jwt client "
                             "authentication");
        goto fail;
    } else {
        method = secret ? "client_secret_post" : "none";
    }
    if (!id || !*id) {
        reply_error(out, 400, "invalid_request", "Missing client_id parameter");
        goto fail;
    }
    app = mt_store_app_by_client(c->store, id);
    if (!app) {
        reply_error(out, 401, "invalid_client", "Invalid client credentials");
        out->www_basic = basic;
        goto fail;
    }
    cfg = json_object_get(json_array_get(json_object_get(app, "inboundAuthConfig"), 0), "config");
    registered = cmn_json_str(cfg, "tokenEndpointAuthMethod");
    registered = registered ? registered : "client_secret_basic";
    /* Strict: exactly the registered method (the real server). Lenient (default): a
     * confidential client may use Basic or the form body; a public client only "none". */
    if (c->strict_client_auth ? strcmp(method, registered) != 0
                              : (!strcmp(registered, "none") != !strcmp(method, "none"))) {
        reply_error(out, 400, "unauthorized_client",
                    "Client is not allowed to use the specified authentication method");
        goto fail;
    }
    if (strcmp(method, "none")) {
        const char *want = cmn_json_str(app, "_secretHash");
        mt_secret_hash(secret, hash);
        if (!want || strlen(want) != 64 || !cmn_ct_equal(want, hash, 64)) {
            reply_error(out, 401, "invalid_client", "Invalid client credentials");
            out->www_basic = basic;
            goto fail;
        }
    }
    free(bid);
    free(bsecret);
    return app;
fail:
    free(bid);
    free(bsecret);
    return NULL;
}

/* Common start of both endpoints: form body and client authentication. */
static json_t *begin(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r, struct mt_form *f,
                     struct mt_oauth_reply *out)
{
    memset(out, 0, sizeof(*out));
    if (is_form(r->content_type) && !mt_form_parse(f, r->body ? r->body : "", r->body_len)) {
        reply_error(out, 400, "invalid_request", "Failed to parse request body");
        return NULL;
    }
    return authenticate(c, r, f, out);
}

static bool is_known_grant(const char *g)
{
    static const char *const known[] = {"authorization_code", "client_credentials", "refresh_token",
                                        "urn:ietf:params:oauth:grant-type:token-exchange",
                                        "urn:openid:params:grant-type:ciba"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strcmp(g, known[i]))
            return true;
    return false;
}

static bool app_has_grant(const json_t *app, const char *g)
{
    json_t *cfg =
        json_object_get(json_array_get(json_object_get(app, "inboundAuthConfig"), 0), "config");
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(cfg, "grantTypes"), i, e)
    {
        if (!strcmp(json_string_value(e) ? json_string_value(e) : "", g))
            return true;
    }
    return false;
}

/* Adds v to a sorted array of unique strings. */
static void add_sorted(json_t *arr, const char *v)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        int cmp = strcmp(json_string_value(e), v);
        if (!cmp)
            return;
        if (cmp > 0) {
            json_array_insert_new(arr, i, json_string(v));
            return;
        }
    }
    json_array_append_new(arr, json_string(v));
}

/* `resource` parameters (RFC 8707): each must be a server identifier; the servers' ids go in
 * rs_ids and identifiers in aud. False on an unknown one. */
static bool read_resources(const struct mt_oauth_ctx *c, const struct mt_form *f, json_t *rs_ids,
                           json_t *aud)
{
    for (size_t i = 0; i < f->n; i++) {
        json_t *rs;
        if (strcmp(f->names[i], "resource"))
            continue;
        rs = f->values[i][0] ? mt_store_find(c->store->servers, "identifier", f->values[i]) : NULL;
        if (!rs || json_array_size(rs_ids) >= MT_MAX_RESOURCES)
            return false;
        json_array_append_new(rs_ids, json_string(cmn_json_str(rs, "id")));
        add_sorted(aud, f->values[i]);
    }
    return true;
}

/* Scopes the app may have: held permissions, narrowed to the named servers when given. */
static json_t *allowed_scopes(const struct mt_oauth_ctx *c, const json_t *app, const json_t *rs_ids)
{
    json_t *held = mt_store_app_permissions(c->store, cmn_json_str(app, "id"));
    json_t *out;
    size_t i, j;
    json_t *p, *rs;

    if (!json_array_size(rs_ids))
        return held;
    out = json_array();
    json_array_foreach(held, i, p)
    {
        json_array_foreach(rs_ids, j, rs)
        {
            if (mt_store_perm_on_server(c->store, json_string_value(rs), json_string_value(p))) {
                json_array_append(out, p);
                break;
            }
        }
    }
    json_decref(held);
    return out;
}

/* Identifiers of the servers defining any granted scope, sorted (spec §8 step 4). */
static void audience_from_scopes(const struct mt_oauth_ctx *c, const json_t *granted, json_t *aud)
{
    size_t i, j;
    json_t *rs, *g;

    json_array_foreach(c->store->servers, i, rs)
    {
        const char *ident = cmn_json_str(rs, "identifier");
        if (!ident || !*ident)
            continue;
        json_array_foreach(granted, j, g)
        {
            if (mt_store_perm_on_server(c->store, cmn_json_str(rs, "id"), json_string_value(g))) {
                add_sorted(aud, ident);
                break;
            }
        }
    }
}

static int64_t validity_of(const json_t *app)
{
    json_t *cfg =
        json_object_get(json_array_get(json_object_get(app, "inboundAuthConfig"), 0), "config");
    json_t *vp = json_object_get(json_object_get(json_object_get(cfg, "token"), "accessToken"),
                                 "validityPeriod");
    return json_is_integer(vp) && json_integer_value(vp) > 0 ? json_integer_value(vp)
                                                             : MT_DEFAULT_VALIDITY;
}

/* Issues the token once the client and grant are accepted. */
static void issue(const struct mt_oauth_ctx *c, const json_t *app, const struct mt_form *f,
                  struct mt_oauth_reply *out)
{
    json_t *rs_ids = json_array(), *aud = json_array(), *allowed = NULL, *granted = NULL;
    json_t *claims = NULL;
    char jti[37], *jwt = NULL;
    int64_t validity = validity_of(app);

    if (!read_resources(c, f, rs_ids, aud)) {
        reply_error(out, 400, "invalid_target", "Invalid resource parameter");
        goto out;
    }
    allowed = allowed_scopes(c, app, rs_ids);
    if (!(granted = mt_scope_filter(mt_form_get(f, "scope"), allowed))) {
        reply_error(out, 400, "invalid_scope", "Too many scopes requested");
        goto out;
    }
    if (!json_array_size(rs_ids))
        audience_from_scopes(c, granted, aud);
    if (!json_array_size(aud))
        json_array_append_new(aud, json_string(cmn_json_str(app, "clientId")));
    if (!cmn_rand_uuid7(jti) ||
        !(claims = mt_token_claims(c->issuer, app,
                                   mt_store_find(c->store->ous, "id", cmn_json_str(app, "ouId")),
                                   granted, aud, c->now, validity, jti)) ||
        !(jwt = mt_jwt_sign(c->keys, claims))) {
        reply_error(out, 500, "server_error", "Failed to generate token");
        goto out;
    }
    out->status = 200;
    out->body = json_pack("{s:s, s:s, s:I}", "access_token", jwt, "token_type", "Bearer",
                          "expires_in", (json_int_t)validity);
    if (json_object_get(claims, "scope"))
        json_object_set(out->body, "scope", json_object_get(claims, "scope"));
out:
    free(jwt);
    json_decref(claims);
    json_decref(granted);
    json_decref(allowed);
    json_decref(rs_ids);
    json_decref(aud);
}

void mt_oauth_token(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r,
                    struct mt_oauth_reply *out)
{
    struct mt_form f = {0};
    json_t *app = begin(c, r, &f, out);
    const char *grant = mt_form_get(&f, "grant_type");

    if (!app)
        goto out;
    if (!grant || !*grant)
        reply_error(out, 400, "invalid_request", "Missing grant_type parameter");
    else if (!is_known_grant(grant))
        reply_error(out, 400, "unsupported_grant_type", "Invalid grant_type parameter");
    else if (!app_has_grant(app, grant))
        reply_error(out, 400, "unauthorized_client",
                    "The client is not authorized to use this grant type");
    else if (strcmp(grant, "client_credentials"))
        reply_error(out, 400, "unsupported_grant_type",
                    "mock-thunder implements only the client_credentials grant");
    else
        issue(c, app, &f, out);
out:
    mt_form_free(&f);
}

void mt_oauth_introspect(const struct mt_oauth_ctx *c, const struct mt_oauth_req *r,
                         struct mt_oauth_reply *out)
{
    static const char *const keys[] = {"scope", "client_id", "token_type", "exp", "iat", "nbf",
                                       "sub",   "aud",       "iss",        "jti", NULL};
    struct mt_form f = {0};
    const char *token;
    json_t *claims;

    if (!begin(c, r, &f, out))
        goto out;
    token = mt_form_get(&f, "token");
    if (!token || !*token) {
        reply_error(out, 400, "invalid_request", "Token parameter is required");
        goto out;
    }
    out->status = 200;
    claims = mt_token_verify(c, token);
    if (!claims) {
        out->body = json_pack("{s:b}", "active", 0);
        goto out;
    }
    json_object_set_new(claims, "token_type", json_string("Bearer"));
    out->body = json_pack("{s:b}", "active", 1);
    for (const char *const *k = keys; *k; k++)
        if (json_object_get(claims, *k))
            json_object_set(out->body, *k, json_object_get(claims, *k));
    json_decref(claims);
out:
    mt_form_free(&f);
}
