/* gw_cors_config.c - security/cors options: krakend-cors's ConfigGetter and mux defaults, and
 * the precomputation rs/cors's New does, with warnings for what KrakenD ignores silently. */
#include "gw_cors_int.h"

#include "cmn_buf.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"
#include "cmn_go_json.h"
#include "cmn_json.h"
#include "cmn_log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of strings as krakend-cors's getList reads it: array items that are strings, in
 * order; anything else leaves the list empty. Owned copies in *out, count in *n. */
static bool get_list(const json_t *obj, const char *key, const char *path, char ***out, size_t *n)
{
    json_t *v = json_object_get(obj, key), *item;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!v)
        return true;
    if (!json_is_array(v)) {
        cmn_log_warn("%s.%s: not an array; ignored, as KrakenD does", path, key);
        return true;
    }
    *out = calloc(json_array_size(v) + 1, sizeof(**out));
    if (!*out)
        return false;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            cmn_log_warn("%s.%s[%zu]: not a string; dropped, as KrakenD does", path, key, i);
            continue;
        }
        (*out)[*n] = strdup(json_string_value(item));
        if (!(*out)[*n])
            return false;
        (*n)++;
    }
    return true;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; l && i < n; i++)
        free(l[i]);
    free(l);
}

/* krakend-cors reads these as `v, ok := x.(bool); field = ok && v`. */
static bool get_bool(const json_t *obj, const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        cmn_log_warn("%s.%s: not a boolean; false, as KrakenD reads it", path, key);
        return false;
    }
    return json_is_true(v);
}

size_t gw_cors_lower(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t rune;
        size_t w;
        if (c < 0x80) {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        w = cmn_go_utf8_decode((const unsigned char *)s + i, n - i, &rune);
        if (w) {
            memcpy(out + o, s + i, w);
            o += w;
            i += w;
        } else { /* Go's strings.Map writes U+FFFD for each invalid byte */
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    return o;
}

static bool lowered(const char *s, struct gw_cors_str *out)
{
    size_t n = strlen(s);

    out->s = malloc(3 * n + 1);
    if (!out->s)
        return false;
    out->len = gw_cors_lower(s, n, out->s);
    out->s[out->len] = '\0';
    return true;
}

static bool set_origins(struct gw_cors *c, char **list, size_t n)
{
    if (n == 0) { /* krakend-cors: ["*"] when empty */
        c->all_origins = true;
        return true;
    }
    c->origins = calloc(n, sizeof(*c->origins));
    c->wild = calloc(n, sizeof(*c->wild));
    if (!c->origins || !c->wild)
        return false;
    for (size_t i = 0; i < n; i++) {
        struct gw_cors_str low;
        char *star;
        if (!lowered(list[i], &low))
            return false;
        if (strcmp(low.s, "*") == 0) { /* "*" anywhere: every origin, the rest discarded */
            free(low.s);
            c->all_origins = true;
            return true;
        }
        star = strchr(low.s, '*');
        if (!star) {
            c->origins[c->n_origins++] = low;
            continue;
        }
        struct gw_cors_wildcard *wc = &c->wild[c->n_wild];
        wc->suffix.len = low.len - (size_t)(star - low.s) - 1;
        wc->suffix.s = strdup(star + 1); /* a second '*' stays literal in the suffix */
        *star = '\0';
        wc->prefix.s = low.s;
        wc->prefix.len = (size_t)(star - low.s);
        c->n_wild++;
        if (!wc->suffix.s)
            return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(((const struct gw_cors_str *)a)->s, ((const struct gw_cors_str *)b)->s);
}

static bool set_headers(struct gw_cors *c, char **list, size_t n)
{
    size_t m = 0;

    if (n == 0) { /* krakend-cors: ["*"] when empty */
        c->all_headers = true;
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], "*") == 0) {
            c->all_headers = true;
            return true;
        }
    }
    c->headers = calloc(n, sizeof(*c->headers));
    if (!c->headers)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!lowered(list[i], &c->headers[i]))
            return false;
        c->n_headers++;
    }
    qsort(c->headers, n, sizeof(*c->headers), cmp_str);
    for (size_t i = 0; i < n; i++) { /* a sorted set: duplicates dropped */
        if (m > 0 && strcmp(c->headers[m - 1].s, c->headers[i].s) == 0) {
            free(c->headers[i].s);
            continue;
        }
        c->headers[m++] = c->headers[i];
        if (c->headers[i].len > c->headers_max_len)
            c->headers_max_len = c->headers[i].len;
    }
    c->n_headers = m;
    return true;
}

static bool set_expose(struct gw_cors *c, char **list, size_t n)
{
    struct cmn_buf b;

    if (n == 0)
        return true;
    cmn_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]);
        char *canon = malloc(len + 1);
        bool ok = canon && (i == 0 || cmn_buf_append_str(&b, ", ") == CMN_BUF_OK);
        if (ok) { /* rs/cors: http.CanonicalHeaderKey of each name */
            cmn_go_canonical_header(list[i], canon, len + 1);
            ok = cmn_buf_append_str(&b, canon) == CMN_BUF_OK;
        }
        free(canon);
        if (!ok) {
            cmn_buf_free(&b);
            return false;
        }
    }
    c->expose = cmn_buf_take(&b, &c->expose_len);
    cmn_buf_free(&b);
    return c->expose != NULL;
}

/* options_success_status: only a JSON number is read, truncated as Go's int(float64). */
static void set_status(struct gw_cors *c, const json_t *obj, const char *path)
{
    json_t *v = json_object_get(obj, "options_success_status");
    double d;

    c->success_status = 204; /* rs/cors's default; the mux variant CE uses keeps it */
    if (!v)
        return;
    if (!json_is_number(v)) {
        cmn_log_warn("%s.options_success_status: not a number; ignored, as KrakenD does", path);
        return;
    }
    d = json_number_value(v);
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        c->success_status = (long long)d;
    else
        c->success_status = INT64_MIN; /* what Go's conversion gives on amd64 */
    if (c->success_status == 0) {
        c->success_status = 204;
        return;
    }
    if (c->success_status < 100 || c->success_status > 999) {
        c->status_kind = GW_CORS_STATUS_PANIC;
        cmn_log_warn("%s.options_success_status: %lld is outside 100-999: Go's WriteHeader panics "
                     "and every preflight's connection is closed without an answer",
                     path, c->success_status);
    } else if (c->success_status < 200) {
        c->status_kind = GW_CORS_STATUS_INFORMATIONAL;
        cmn_log_warn("%s.options_success_status: %lld is informational: Go sends it and then 200; "
                     "this gateway answers 200 only",
                     path, c->success_status);
    }
    if (c->passthrough)
        cmn_log_warn("%s.options_success_status: not used with options_passthrough", path);
}

/* max_age: a Go duration string; KrakenD panics at startup on any other type. */
static bool set_max_age(struct gw_cors *c, const json_t *obj, const char *path, struct cmn_err *err)
{
    json_t *v = json_object_get(obj, "max_age");
    int64_t ns, sec;
    double secs;
    long long n;

    if (!v)
        return true;
    if (!json_is_string(v)) {
        cmn_err_set(err, GW_CORS_INVALID,
                    "%s.max_age: not a string: KrakenD does not start (the value must be a Go "
                    "duration such as \"12h\")",
                    path);
        return false;
    }
    if (!cmn_go_parse_duration(json_string_value(v), &ns)) {
        cmn_log_warn("%s.max_age: \"%s\" is not a Go duration; ignored, as KrakenD does", path,
                     json_string_value(v));
        return true;
    }
    /* rs/cors gets int(d.Seconds()): float seconds truncated */
    sec = ns / 1000000000;
    secs = (double)sec + (double)(ns % 1000000000) / 1e9;
    n = (long long)secs;
    if (n > 0)
        snprintf(c->max_age, sizeof(c->max_age), "%lld", n);
    else if (n < 0)
        snprintf(c->max_age, sizeof(c->max_age), "0");
    else if (ns != 0)
        cmn_log_warn("%s.max_age: \"%s\" is less than a second: no Access-Control-Max-Age", path,
                     json_string_value(v));
    return true;
}

void gw_cors_destroy(struct gw_cors *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_origins; i++)
        free(c->origins[i].s);
    free(c->origins);
    for (size_t i = 0; i < c->n_wild; i++) {
        free(c->wild[i].prefix.s);
        free(c->wild[i].suffix.s);
    }
    free(c->wild);
    free_list(c->methods, c->n_methods);
    for (size_t i = 0; i < c->n_headers; i++)
        free(c->headers[i].s);
    free(c->headers);
    free(c->expose);
    cmn_http_line_free(&c->vary_actual);
    cmn_http_line_free(&c->vary_preflight);
    cmn_http_line_free(&c->acao_all);
    cmn_http_line_free(&c->aceh);
    cmn_http_line_free(&c->acac);
    cmn_http_line_free(&c->acapn);
    cmn_http_line_free(&c->acma);
    free(c);
}

static void fix_lines(struct gw_cors *c)
{
    cmn_http_line_init_opt(&c->vary_actual, "Vary", "Origin");
    cmn_http_line_init_opt(&c->vary_preflight, "Vary",
                           c->private_network ? GW_CORS_VARY_PREFLIGHT_PN : GW_CORS_VARY_PREFLIGHT);
    cmn_http_line_init_opt(&c->acao_all, GW_CORS_ACAO, c->all_origins ? "*" : NULL);
    cmn_http_line_init_opt(&c->aceh, GW_CORS_ACEH, c->expose);
    cmn_http_line_init_opt(&c->acac, GW_CORS_ACAC, c->credentials ? "true" : NULL);
    cmn_http_line_init_opt(&c->acapn, GW_CORS_ACAPN, c->private_network ? "true" : NULL);
    cmn_http_line_init_opt(&c->acma, GW_CORS_ACMA, c->max_age[0] ? c->max_age : NULL);
}

static void warn_effects(const struct gw_cors *c, const char *path)
{
    if (c->credentials && c->all_origins)
        cmn_log_warn("%s.allow_credentials: with every origin allowed the answer says \"*\" and "
                     "\"true\", which browsers refuse",
                     path);
    for (size_t i = 0; i < c->n_methods; i++) {
        for (const char *p = c->methods[i]; *p; p++) {
            if (*p >= 'a' && *p <= 'z') {
                cmn_log_warn("%s.allow_methods: \"%s\" is compared case-sensitively and matches "
                             "no request method",
                             path, c->methods[i]);
                break;
            }
        }
    }
}

/* The keys krakend-cors reads. */
static const char *const KNOWN[] = {
    "allow_origins",         "allow_methods", "allow_headers",       "expose_headers",
    "allow_credentials",     "max_age",       "options_passthrough", "options_success_status",
    "allow_private_network", "debug",
};

enum gw_cors_status gw_cors_new(const json_t *v, const char *path, struct gw_cors **out,
                                struct cmn_err *err)
{
    struct gw_cors *c = NULL;
    char **origins = NULL, **headers = NULL, **expose = NULL;
    size_t n_origins = 0, n_headers = 0, n_expose = 0;
    enum gw_cors_status st = GW_CORS_NOMEM;

    *out = NULL;
    cmn_err_clear(err);
    if (!v)
        return GW_CORS_OK;
    if (!json_is_object(v)) {
        cmn_log_warn("%s: not an object: CORS is off, as in KrakenD", path);
        return GW_CORS_OK;
    }
    cmn_json_warn_unknown(v, KNOWN, sizeof(KNOWN) / sizeof(KNOWN[0]), path);
    c = calloc(1, sizeof(*c));
    if (!c)
        goto out;
    if (!get_list(v, "allow_origins", path, &origins, &n_origins) ||
        !get_list(v, "allow_methods", path, &c->methods, &c->n_methods) ||
        !get_list(v, "allow_headers", path, &headers, &n_headers) ||
        !get_list(v, "expose_headers", path, &expose, &n_expose))
        goto out;
    c->credentials = get_bool(v, "allow_credentials", path);
    c->private_network = get_bool(v, "allow_private_network", path);
    c->passthrough = get_bool(v, "options_passthrough", path);
    c->debug = get_bool(v, "debug", path);
    if (c->n_methods == 0) { /* rs/cors: the simple methods */
        static const char *const simple[] = {"GET", "POST", "HEAD"};
        free(c->methods);
        c->methods = calloc(3, sizeof(*c->methods));
        if (!c->methods)
            goto out;
        for (; c->n_methods < 3; c->n_methods++) {
            c->methods[c->n_methods] = strdup(simple[c->n_methods]);
            if (!c->methods[c->n_methods])
                goto out;
        }
    }
    if (!set_origins(c, origins, n_origins) || !set_headers(c, headers, n_headers) ||
        !set_expose(c, expose, n_expose))
        goto out;
    set_status(c, v, path);
    if (!set_max_age(c, v, path, err)) {
        st = GW_CORS_INVALID;
        goto out;
    }
    warn_effects(c, path);
    fix_lines(c);
    *out = c;
    c = NULL;
    st = GW_CORS_OK;
out:
    if (st == GW_CORS_NOMEM)
        cmn_err_set(err, GW_CORS_NOMEM, "%s: out of memory", path);
    free_list(origins, n_origins);
    free_list(headers, n_headers);
    free_list(expose, n_expose);
    gw_cors_destroy(c);
    return st;
}

bool gw_cors_debug(const struct gw_cors *c)
{
    return c->debug;
}
