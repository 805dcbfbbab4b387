/* gw_cc_token.c - x/oauth2's token request (clientcredentials.tokenSource.Token,
 * internal.newTokenRequest) and its reading of the answer (internal.doTokenRoundTrip,
 * RetrieveError.Error, Token.Type, Token.Valid). */
#include "gw_cc_token.h"

#include "cmn_b64.h"
#include "cmn_buf.h"
#include "cmn_go_json.h"
#include "cmn_go_url.h"
#include "cmn_str.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXPIRY_DELTA_MS 10000 /* oauth2's defaultExpiryDelta */
#define MAX_FORM_PAIRS 1000   /* pairs of a form answer looked at */

/* ---- the request ---------------------------------------------------------------------------- */

struct pair {
    const char *k, *v;
    size_t order; /* a key's values keep their order (url.Values.Encode) */
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int c = strcmp(x->k, y->k);

    return c ? c : (x->order > y->order) - (x->order < y->order);
}

bool gw_cc_token_request(const struct gw_cc_config *c, enum gw_cc_style style, char **body,
                         char **basic, struct cmn_err *err)
{
    struct pair pairs[2 + GW_CC_MAX_PARAMS * GW_CC_MAX_PARAMS + 2];
    size_t n = 0;
    bool grant_overridden = false;
    struct cmn_buf scope, b;
    bool ok = true;

    *body = *basic = NULL;
    for (size_t i = 0; i < c->n_params; i++) {
        if (strcmp(c->params[i].key, "scope") == 0) /* the scope field is always set */
            return cmn_err_set(err, 1, "oauth2: cannot overwrite parameter \"scope\""), false;
        grant_overridden = grant_overridden || strcmp(c->params[i].key, "grant_type") == 0;
    }
    cmn_buf_init(&scope, 64 * 1024);
    for (size_t i = 0; i < c->n_scopes; i++)
        ok = ok && cmn_buf_printf(&scope, "%s%s", i ? " " : "", c->scopes[i]) == CMN_BUF_OK;
    if (!grant_overridden)
        pairs[n] = (struct pair){"grant_type", "client_credentials", n}, n++;
    pairs[n] = (struct pair){"scope", cmn_buf_str(&scope), n}, n++;
    for (size_t i = 0; i < c->n_params; i++) {
        const struct gw_cc_param *p = &c->params[i];
        bool replaced = style == GW_CC_STYLE_PARAMS &&
                        ((strcmp(p->key, "client_id") == 0 && c->client_id[0]) ||
                         (strcmp(p->key, "client_secret") == 0 && c->client_secret[0]));
        for (size_t k = 0; k < p->n_values && !replaced; k++)
            pairs[n] = (struct pair){p->key, p->values[k], n}, n++;
    }
    if (style == GW_CC_STYLE_PARAMS) { /* v.Set: replaces what endpoint_params gave */
        if (c->client_id[0])
            pairs[n] = (struct pair){"client_id", c->client_id, n}, n++;
        if (c->client_secret[0])
            pairs[n] = (struct pair){"client_secret", c->client_secret, n}, n++;
    }
    qsort(pairs, n, sizeof(pairs[0]), pair_cmp);
    cmn_buf_init(&b, 4 * 1024 * 1024);
    for (size_t i = 0; i < n && ok; i++) {
        ok = (i == 0 || cmn_buf_append(&b, "&", 1) == CMN_BUF_OK) &&
             cmn_go_query_escape(pairs[i].k, strlen(pairs[i].k), &b) &&
             cmn_buf_append(&b, "=", 1) == CMN_BUF_OK &&
             cmn_go_query_escape(pairs[i].v, strlen(pairs[i].v), &b);
    }
    cmn_buf_free(&scope);
    if (ok && style == GW_CC_STYLE_HEADER) { /* SetBasicAuth(QueryEscape(id), QueryEscape(s)) */
        struct cmn_buf cred;
        cmn_buf_init(&cred, 64 * 1024);
        ok = cmn_go_query_escape(c->client_id, strlen(c->client_id), &cred) &&
             cmn_buf_append(&cred, ":", 1) == CMN_BUF_OK &&
             cmn_go_query_escape(c->client_secret, strlen(c->client_secret), &cred) &&
             (*basic = malloc(6 + cmn_b64_encoded_len(cred.len) + 1)) != NULL;
        if (ok) {
            memcpy(*basic, "Basic ", 6);
            cmn_b64_encode(cred.data, cred.len, *basic + 6);
        }
        cmn_buf_free(&cred);
    }
    if (ok && !(*body = cmn_buf_take(&b, NULL)))
        ok = false;
    cmn_buf_free(&b);
    if (!ok) {
        free(*basic);
        *basic = NULL;
        return cmn_err_set(err, 1, "out of memory"), false;
    }
    return true;
}

/* ---- the answer ----------------------------------------------------------------------------- */

void gw_cc_token_free(struct gw_cc_token *t)
{
    if (!t)
        return;
    free(t->access_token);
    free(t->token_type);
    memset(t, 0, sizeof(*t));
}

/* What both answer forms give. */
struct fields {
    char *access, *type, *code, *desc, *uri;
    bool has_expires;
    long long expires;
};

static void fields_free(struct fields *f)
{
    free(f->access);
    free(f->type);
    free(f->code);
    free(f->desc);
    free(f->uri);
}

/* mime.ParseMediaType's media type: before ';', trimmed, lower-cased. */
static void media_type(const char *ct, char *out, size_t n)
{
    size_t l = 0;

    out[0] = '\0';
    if (!ct)
        return;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    while (ct[l] && ct[l] != ';' && l + 1 < n) {
        out[l] = (char)tolower((unsigned char)ct[l]);
        l++;
    }
    while (l > 0 && (out[l - 1] == ' ' || out[l - 1] == '\t'))
        l--;
    out[l] = '\0';
}

/* url.ParseQuery, keeping the first value of the names oauth2 reads; the first error in why. */
static bool parse_form(const char *s, size_t n, struct fields *f, char *why, size_t wn)
{
    const char *end = s + n;
    size_t pairs = 0;

    why[0] = '\0';
    while (s < end && pairs++ < MAX_FORM_PAIRS) {
        const char *amp = memchr(s, '&', (size_t)(end - s)), *eq;
        size_t l = amp ? (size_t)(amp - s) : (size_t)(end - s), kl;
        char *k = NULL, *v = NULL, **slot = NULL;
        if (memchr(s, ';', l)) {
            if (!why[0])
                snprintf(why, wn, "invalid semicolon separator in query");
            goto next;
        }
        if (l == 0)
            goto next;
        eq = memchr(s, '=', l);
        kl = eq ? (size_t)(eq - s) : l;
        k = malloc(kl + 1);
        v = malloc(l + 1);
        if (!k || !v)
            goto bad;
        if (!cmn_go_unescape(s, kl, true, k, NULL) ||
            !cmn_go_unescape(eq ? eq + 1 : "", eq ? l - kl - 1 : 0, true, v, NULL)) {
            const char *pct = s;
            while ((pct = memchr(pct, '%', (size_t)(s + l - pct))) && pct + 2 < s + l &&
                   isxdigit((unsigned char)pct[1]) && isxdigit((unsigned char)pct[2]))
                pct += 3;
            if (!why[0])
                snprintf(why, wn, "invalid URL escape \"%.*s\"",
                         pct ? (int)(s + l - pct < 3 ? s + l - pct : 3) : 0, pct ? pct : "");
            goto next;
        }
        slot = strcmp(k, "access_token") == 0        ? &f->access
               : strcmp(k, "token_type") == 0        ? &f->type
               : strcmp(k, "error") == 0             ? &f->code
               : strcmp(k, "error_description") == 0 ? &f->desc
               : strcmp(k, "error_uri") == 0         ? &f->uri
                                                     : NULL;
        if (slot && !*slot) {
            *slot = v;
            v = NULL;
        } else if (strcmp(k, "expires_in") == 0 && !f->has_expires) {
            char *e;
            errno = 0;
            f->expires = strtoll(v, &e, 10); /* Atoi: an error counts as 0 */
            if (errno || *e || !*v || isspace((unsigned char)*v))
                f->expires = 0;
            f->has_expires = true;
        }
    next:
        free(k);
        free(v);
        if (!amp)
            break;
        s = amp + 1;
        continue;
    bad:
        free(k);
        free(v);
        return false;
    }
    return true;
}

static const char *type_name(const json_t *v)
{
    return json_is_object(v)    ? "object"
           : json_is_array(v)   ? "array"
           : json_is_string(v)  ? "string"
           : json_is_boolean(v) ? "bool"
                                : "number";
}

/* expirationTime.UnmarshalJSON: a number, or a string holding one, as an int64 capped at
 * MaxInt32; null leaves 0. */
static void json_expires(const json_t *v, struct fields *f, char *why, size_t wn)
{
    const char *s;
    char *e;
    long long n;

    if (json_is_null(v))
        return;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_real(v)) {
        if (!why[0])
            snprintf(why, wn, "strconv.ParseInt: parsing \"%g\": invalid syntax",
                     json_real_value(v));
        return;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        errno = 0;
        n = strtoll(s, &e, 10);
        if (!*s || *e || errno || isspace((unsigned char)*s) || *s == '+') {
            if (!why[0])
                snprintf(why, wn,
                         "json: invalid number literal, trying to unmarshal \"\\\"%.64s\\\"\" into "
                         "Number",
                         s);
            return;
        }
    } else {
        if (!why[0])
            snprintf(why, wn, "json: cannot unmarshal %s into Go value of type json.Number",
                     type_name(v));
        return;
    }
    f->expires = n > INT_MAX ? INT_MAX : n;
    f->has_expires = true;
}

/* json.Unmarshal into tokenJSON: keys matched ignoring case, the last one winning; a value of
 * the wrong type is an error, the others are still read. */
static bool parse_json(const char *s, size_t n, struct fields *f, char *why, size_t wn)
{
    static const char *const names[] = {"access_token", "token_type", "error", "error_description",
                                        "error_uri"};
    char **slots[] = {&f->access, &f->type, &f->code, &f->desc, &f->uri};
    json_error_t je;
    json_t *doc = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je), *v;
    const char *k;

    why[0] = '\0';
    if (!doc) {
        snprintf(why, wn, "%s", n ? je.text : "unexpected end of JSON input");
        return true;
    }
    if (!json_is_object(doc) && !json_is_null(doc)) {
        snprintf(why, wn, "json: cannot unmarshal %s into Go value of type internal.tokenJSON",
                 type_name(doc));
        json_decref(doc);
        return true;
    }
    json_object_foreach(doc, k, v)
    {
        if (strcasecmp(k, "expires_in") == 0) {
            json_expires(v, f, why, wn);
            continue;
        }
        for (size_t i = 0; i < 5; i++) {
            if (strcasecmp(k, names[i]) != 0 || json_is_null(v))
                continue;
            if (!json_is_string(v)) {
                if (!why[0])
                    snprintf(why, wn,
                             "json: cannot unmarshal %s into Go struct field tokenJSON.%s of "
                             "type string",
                             type_name(v), names[i]);
                break;
            }
            free(*slots[i]);
            if (!(*slots[i] = strdup(json_string_value(v)))) {
                json_decref(doc);
                return false;
            }
            break;
        }
    }
    json_decref(doc);
    return true;
}

/* RetrieveError.Error(). */
static bool retrieve_error(const struct gw_cc_http_res *res, const struct fields *f,
                           struct cmn_err *err)
{
    struct cmn_buf m;

    cmn_buf_init(&m, CMN_ERR_MSG_MAX);
    if (f->code && f->code[0]) {
        cmn_buf_append_str(&m, "oauth2: ");
        cmn_go_quote(&m, f->code, strlen(f->code));
        if (f->desc && f->desc[0]) {
            cmn_buf_append_str(&m, " ");
            cmn_go_quote(&m, f->desc, strlen(f->desc));
        }
        if (f->uri && f->uri[0]) {
            cmn_buf_append_str(&m, " ");
            cmn_go_quote(&m, f->uri, strlen(f->uri));
        }
    } else {
        cmn_buf_printf(&m, "oauth2: cannot fetch token: %s\nResponse: ",
                       res->status_line ? res->status_line : "");
        cmn_buf_append(&m, res->body ? res->body : "", res->body_len);
    }
    cmn_err_set(err, 1, "%s", cmn_buf_str(&m));
    cmn_buf_free(&m);
    return false;
}

bool gw_cc_token_parse(const struct gw_cc_http_res *res, int64_t now_unix_ms,
                       struct gw_cc_token *out, struct cmn_err *err)
{
    struct fields f = {0};
    char media[64], why[256];
    bool failure, ok = false;

    memset(out, 0, sizeof(*out));
    if (res->status == 0)
        return cmn_err_set(err, 1, "%s", res->error ? res->error : "no answer"), false;
    failure = res->status < 200 || res->status > 299;
    media_type(res->content_type, media, sizeof(media));
    if (strcmp(media, "application/x-www-form-urlencoded") == 0 ||
        strcmp(media, "text/plain") == 0) {
        if (!parse_form(res->body ? res->body : "", res->body_len, &f, why, sizeof(why)))
            goto nomem;
        if (why[0]) {
            if (failure) {
                struct fields none = {0};
                retrieve_error(res, &none, err);
            } else {
                cmn_err_set(err, 1, "oauth2: cannot parse response: %s", why);
            }
            goto out;
        }
    } else {
        if (!parse_json(res->body ? res->body : "", res->body_len, &f, why, sizeof(why)))
            goto nomem;
        if (why[0]) {
            if (failure) {
                struct fields none = {0};
                retrieve_error(res, &none, err);
            } else {
                cmn_err_set(err, 1, "oauth2: cannot parse json: %s", why);
            }
            goto out;
        }
    }
    /* RFC 6749 §5.2 says 400, but some servers answer 200 with an error member */
    if (failure || (f.code && f.code[0])) {
        retrieve_error(res, &f, err);
        goto out;
    }
    if (!f.access || !f.access[0]) {
        cmn_err_set(err, 1, "oauth2: server response missing access_token");
        goto out;
    }
    out->access_token = f.access;
    f.access = NULL;
    out->token_type = f.type ? f.type : strdup("");
    f.type = NULL;
    if (!out->token_type)
        goto nomem;
    out->expiry_unix_ms = f.expires ? now_unix_ms + (int64_t)f.expires * 1000 : 0;
    ok = true;
    goto out;
nomem:
    cmn_err_set(err, 1, "out of memory");
    gw_cc_token_free(out);
out:
    fields_free(&f);
    return ok;
}

char *gw_cc_auth_value(const struct gw_cc_token *t)
{
    const char *type = t->token_type && t->token_type[0] ? t->token_type : "Bearer";
    size_t n;
    char *v;

    if (strcasecmp(type, "bearer") == 0)
        type = "Bearer";
    else if (strcasecmp(type, "mac") == 0)
        type = "MAC";
    else if (strcasecmp(type, "basic") == 0)
        type = "Basic";
    n = strlen(type) + 1 + strlen(t->access_token) + 1;
    if ((v = malloc(n)))
        snprintf(v, n, "%s %s", type, t->access_token);
    return v;
}

bool gw_cc_token_valid(const struct gw_cc_token *t, int64_t now_unix_ms)
{
    if (!t->access_token || !t->access_token[0])
        return false;
    return t->expiry_unix_ms == 0 || t->expiry_unix_ms - EXPIRY_DELTA_MS >= now_unix_ms;
}
