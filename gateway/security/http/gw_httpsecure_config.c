/* gw_httpsecure_config.c - security/http options: krakend-httpsecure's ConfigGetter (wrong types
 * ignored) and what unrolled/secure's New precomputes (host regexps, the nonce template). */
#include "gw_httpsecure_int.h"

#include "cmn_go_header.h"
#include "cmn_json.h"
#include "cmn_log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getString: a string, or the option keeps its default (""). */
static const char *get_string(const json_t *obj, const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        cmn_log_warn("%s.%s: not a string; ignored, as KrakenD does", path, key);
        return NULL;
    }
    return json_string_value(v);
}

static bool get_bool(const json_t *obj, const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        cmn_log_warn("%s.%s: not a boolean; ignored, as KrakenD does", path, key);
        return false;
    }
    return json_is_true(v);
}

/* getStrings: the strings of an array (other items dropped); anything else is ignored. */
static bool get_strings(const json_t *obj, const char *key, const char *path, char ***out,
                        size_t *n)
{
    json_t *v = json_object_get(obj, key), *item;
    size_t i;

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
        if (!(*out)[(*n)++])
            return false;
    }
    return true;
}

static void free_strings(char **l, size_t n)
{
    for (size_t i = 0; l && i < n; i++)
        free(l[i]);
    free(l);
}

static bool ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80)
            return false;
    }
    return true;
}

/* Go's http.CanonicalHeaderKey of name, owned; NULL on allocation failure. */
static char *canonical(const char *name)
{
    size_t n = strlen(name);
    char *c = malloc(n + 1);

    if (c)
        cmn_go_canonical_header(name, c, n + 1);
    return c;
}

/* allowed_hosts: Go regexps anchored as unrolled/secure anchors them ("^" + entry + "$", no
 * group: "a|b" reads "^a|b$"), or strings.EqualFold literals. */
static enum gw_hsec_status set_hosts(struct gw_httpsecure *s, char **hosts, size_t n,
                                     const char *path, struct cmn_err *err)
{
    s->hosts = calloc(n + 1, sizeof(*s->hosts));
    if (!s->hosts)
        return GW_HSEC_NOMEM;
    for (size_t i = 0; i < n; i++) {
        struct gw_hsec_host *h = &s->hosts[i];
        struct cmn_err rerr = {0};
        size_t len = strlen(hosts[i]);

        s->n_hosts++;
        if (s->hosts_regex) {
            char *anchored = malloc(len + 3);
            if (!anchored)
                return GW_HSEC_NOMEM;
            anchored[0] = '^';
            memcpy(anchored + 1, hosts[i], len);
            memcpy(anchored + 1 + len, "$", 2);
            h->re = cmn_go_re_compile(anchored, len + 2, 0, &rerr);
            free(anchored);
            if (!h->re) {
                if (rerr.code == CMN_GO_RE_NOMEM)
                    return GW_HSEC_NOMEM;
                /* unrolled/secure panics: "Error parsing AllowedHost: <err>"; a pattern Go
                 * takes but PCRE2 cannot run as Go would is refused as well, naming it */
                cmn_err_set(err, GW_HSEC_INVALID,
                            "%s.allowed_hosts[%zu]: Error parsing AllowedHost: %s", path, i,
                            rerr.msg);
                return GW_HSEC_INVALID;
            }
            continue;
        }
        h->re = cmn_go_re_compile_literal(hosts[i], len, true, &rerr);
        if (!h->re)
            return GW_HSEC_NOMEM;
        if (ascii(hosts[i])) {
            h->ascii_lower = strdup(hosts[i]);
            if (!h->ascii_lower)
                return GW_HSEC_NOMEM;
            for (char *p = h->ascii_lower; *p; p++) {
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
            }
        }
    }
    return GW_HSEC_OK;
}

static bool set_ssl_proxy(struct gw_httpsecure *s, const json_t *obj, const char *path)
{
    json_t *v = json_object_get(obj, "ssl_proxy_headers"), *val;
    const char *key;

    if (!v)
        return true;
    if (!json_is_object(v)) {
        cmn_log_warn("%s.ssl_proxy_headers: not an object; ignored, as KrakenD does", path);
        return true;
    }
    s->ssl_proxy = calloc(json_object_size(v) + 1, sizeof(*s->ssl_proxy));
    if (!s->ssl_proxy)
        return false;
    json_object_foreach((json_t *)(uintptr_t)v, key, val)
    {
        struct gw_hsec_pair *p = &s->ssl_proxy[s->n_ssl_proxy];
        if (!json_is_string(val)) {
            cmn_log_warn("%s.ssl_proxy_headers.%s: not a string; dropped, as KrakenD does", path,
                         key);
            continue;
        }
        /* r.Header.Get canonicalises the name */
        p->name = canonical(key);
        p->value = strdup(json_string_value(val));
        s->n_ssl_proxy++;
        if (!p->name || !p->value)
            return false;
        if (!*p->value)
            cmn_log_warn("%s.ssl_proxy_headers.%s: an empty value also matches requests without "
                         "the header: every request counts as HTTPS",
                         path, key);
    }
    return true;
}

/* sts_seconds: getInt64 reads a JSON number (a float64) truncated. */
static void set_sts(struct gw_httpsecure *s, const json_t *obj, const char *path)
{
    json_t *v = json_object_get(obj, "sts_seconds");
    double d;

    if (!v)
        return;
    if (!json_is_number(v)) {
        cmn_log_warn("%s.sts_seconds: not a number; ignored, as KrakenD does", path);
        return;
    }
    d = json_number_value(v);
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        s->sts_seconds = (int64_t)d;
    else
        s->sts_seconds = INT64_MIN; /* Go's float-to-int conversion on amd64 */
}

static bool set_csp(struct gw_httpsecure *s, const char *csp)
{
    struct cmn_buf b;
    const char *p = csp;

    if (!csp || !*csp)
        return true;
    /* unrolled/secure: $NONCE becomes 'nonce-%[1]s'; a policy holding %[1]s is then formatted */
    cmn_buf_init(&b, 1 << 20);
    for (const char *q; (q = strstr(p, "$NONCE")); p = q + 6) {
        if (cmn_buf_append(&b, p, (size_t)(q - p)) != CMN_BUF_OK ||
            cmn_buf_append_str(&b, "'nonce-%[1]s'") != CMN_BUF_OK)
            goto fail;
    }
    if (cmn_buf_append_str(&b, p) != CMN_BUF_OK)
        goto fail;
    s->csp = cmn_buf_take(&b, NULL);
    cmn_buf_free(&b);
    if (!s->csp)
        return false;
    s->nonce = strstr(s->csp, "%[1]s") != NULL;
    return true;
fail:
    cmn_buf_free(&b);
    return false;
}

void gw_httpsecure_destroy(struct gw_httpsecure *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_hosts; i++) {
        free(s->hosts[i].ascii_lower);
        cmn_go_re_destroy(s->hosts[i].re);
    }
    free(s->hosts);
    free_strings(s->proxy_headers, s->n_proxy_headers);
    for (size_t i = 0; i < s->n_ssl_proxy; i++) {
        free(s->ssl_proxy[i].name);
        free(s->ssl_proxy[i].value);
    }
    free(s->ssl_proxy);
    free(s->frame);
    free(s->csp);
    free(s->referrer);
    free(s->ssl_host);
    cmn_http_line_free(&s->sts_line);
    cmn_http_line_free(&s->frame_line);
    cmn_http_line_free(&s->nosniff_line);
    cmn_http_line_free(&s->xss_line);
    cmn_http_line_free(&s->csp_line);
    cmn_http_line_free(&s->referrer_line);
    free(s);
}

static void fix_lines(struct gw_httpsecure *s)
{
    cmn_http_line_init_opt(&s->sts_line, "Strict-Transport-Security",
                           s->sts_seconds != 0 ? s->hsts : NULL);
    cmn_http_line_init_opt(&s->frame_line, "X-Frame-Options", s->frame);
    cmn_http_line_init_opt(&s->nosniff_line, "X-Content-Type-Options",
                           s->nosniff ? "nosniff" : NULL);
    cmn_http_line_init_opt(&s->xss_line, "X-XSS-Protection", s->xss ? "1; mode=block" : NULL);
    cmn_http_line_init_opt(&s->csp_line, "Content-Security-Policy", s->nonce ? NULL : s->csp);
    cmn_http_line_init_opt(&s->referrer_line, "Referrer-Policy", s->referrer);
}

static bool canonical_proxy_headers(struct gw_httpsecure *s)
{
    for (size_t i = 0; i < s->n_proxy_headers; i++) {
        char *c = canonical(s->proxy_headers[i]);
        if (!c)
            return false;
        free(s->proxy_headers[i]);
        s->proxy_headers[i] = c;
    }
    return true;
}

/* A copy of v, or NULL for an absent or empty value. */
static bool dup_opt(const char *v, char **out)
{
    *out = v && *v ? strdup(v) : NULL;
    return !(v && *v) || *out;
}

static bool set_strings(struct gw_httpsecure *s, const json_t *v, const char *path)
{
    const char *frame = get_string(v, "custom_frame_options_value", path);
    bool deny = get_bool(v, "frame_deny", path);

    /* the custom value wins over frame_deny */
    return dup_opt(frame && *frame ? frame
                   : deny          ? "DENY"
                                   : NULL,
                   &s->frame) &&
           dup_opt(get_string(v, "referrer_policy", path), &s->referrer) &&
           dup_opt(get_string(v, "ssl_host", path), &s->ssl_host) &&
           set_csp(s, get_string(v, "content_security_policy", path));
}

/* The keys krakend-httpsecure reads (hpkp_public_key: documented, never applied). */
static const char *const KNOWN[] = {
    "allowed_hosts",
    "allowed_hosts_are_regex",
    "host_proxy_headers",
    "sts_seconds",
    "sts_include_subdomains",
    "force_sts_header",
    "frame_deny",
    "custom_frame_options_value",
    "content_type_nosniff",
    "browser_xss_filter",
    "content_security_policy",
    "referrer_policy",
    "ssl_redirect",
    "ssl_host",
    "ssl_proxy_headers",
    "is_development",
    "hpkp_public_key",
};

enum gw_hsec_status gw_httpsecure_new(const json_t *v, const char *path, struct gw_httpsecure **out,
                                      struct cmn_err *err)
{
    struct gw_httpsecure *s = NULL;
    char **hosts = NULL;
    size_t n_hosts = 0;
    enum gw_hsec_status st = GW_HSEC_NOMEM;

    *out = NULL;
    cmn_err_clear(err);
    if (!v)
        return GW_HSEC_OK;
    if (!json_is_object(v)) {
        cmn_log_warn("%s: not an object: the module is off, as in KrakenD", path);
        return GW_HSEC_OK;
    }
    cmn_json_warn_unknown(v, KNOWN, sizeof(KNOWN) / sizeof(KNOWN[0]), path);
    s = calloc(1, sizeof(*s));
    if (!s)
        goto out;
    if (!get_strings(v, "allowed_hosts", path, &hosts, &n_hosts) ||
        !get_strings(v, "host_proxy_headers", path, &s->proxy_headers, &s->n_proxy_headers) ||
        !canonical_proxy_headers(s))
        goto out;
    s->hosts_regex = get_bool(v, "allowed_hosts_are_regex", path);
    s->force_sts = get_bool(v, "force_sts_header", path);
    s->nosniff = get_bool(v, "content_type_nosniff", path);
    s->xss = get_bool(v, "browser_xss_filter", path);
    s->dev = get_bool(v, "is_development", path);
    s->sts_subdomains = get_bool(v, "sts_include_subdomains", path);
    s->ssl_redirect = get_bool(v, "ssl_redirect", path);
    set_sts(s, v, path);
    snprintf(s->hsts, sizeof(s->hsts), "max-age=%lld%s", (long long)s->sts_seconds,
             s->sts_subdomains ? "; includeSubDomains" : "");
    if (!set_strings(s, v, path) || !set_ssl_proxy(s, v, path))
        goto out;
    if (json_object_get(v, "hpkp_public_key"))
        cmn_log_warn("%s.hpkp_public_key: not applied: KrakenD CE never sends Public-Key-Pins",
                     path);
    if (s->dev)
        cmn_log_warn("%s.is_development: allowed_hosts, ssl_redirect and Strict-Transport-Security "
                     "are not applied",
                     path);
    st = set_hosts(s, hosts, n_hosts, path, err);
    if (st != GW_HSEC_OK)
        goto out;
    s->frame_len = s->frame ? strlen(s->frame) : 0;
    s->csp_len = s->csp ? strlen(s->csp) : 0;
    s->referrer_len = s->referrer ? strlen(s->referrer) : 0;
    s->hsts_len = strlen(s->hsts);
    fix_lines(s);
    *out = s;
    s = NULL;
out:
    if (st == GW_HSEC_NOMEM)
        cmn_err_set(err, GW_HSEC_NOMEM, "%s: out of memory", path);
    free_strings(hosts, n_hosts);
    gw_httpsecure_destroy(s);
    return st;
}

bool gw_httpsecure_needs_nonce(const struct gw_httpsecure *s)
{
    return s->nonce;
}
