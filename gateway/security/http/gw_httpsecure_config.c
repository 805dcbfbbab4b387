/* gw_httpsecure_config.c - security/http options: krakend-httpsecure's ConfigGetter (wrong types
 * ignored) and what unrolled/secure's New precomputes (host regexps, the nonce template). */
#include "gw_httpsecure_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getString: a string, or the option keeps its default (""). */
static const char *get_string(const json_t *obj, const char *key, const char *path,
                              struct gw_sec_warnings *w)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        gw_sec_warn(w, "%s.%s: not a string; ignored, as KrakenD does", path, key);
        return NULL;
    }
    return json_string_value(v);
}

static bool get_bool(const json_t *obj, const char *key, const char *path,
                     struct gw_sec_warnings *w)
{
    json_t *v = json_object_get(obj, key);

    if (!v)
        return false;
    if (!json_is_boolean(v)) {
        gw_sec_warn(w, "%s.%s: not a boolean; ignored, as KrakenD does", path, key);
        return false;
    }
    return json_is_true(v);
}

/* getStrings: the strings of an array (other items dropped); anything else is ignored. */
static bool get_strings(const json_t *obj, const char *key, const char *path, char ***out,
                        size_t *n, struct gw_sec_warnings *w)
{
    json_t *v = json_object_get(obj, key), *item;
    size_t i;

    if (!v)
        return true;
    if (!json_is_array(v)) {
        gw_sec_warn(w, "%s.%s: not an array; ignored, as KrakenD does", path, key);
        return true;
    }
    *out = calloc(json_array_size(v) + 1, sizeof(**out));
    if (!*out)
        return false;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item)) {
            gw_sec_warn(w, "%s.%s[%zu]: not a string; dropped, as KrakenD does", path, key, i);
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
            h->re = gw_re2_compile(anchored, len + 2, &rerr);
            free(anchored);
            if (!h->re) {
                if (rerr.code == GW_RE2_NOMEM)
                    return GW_HSEC_NOMEM;
                /* unrolled/secure panics: "Error parsing AllowedHost: <err>" */
                cmn_err_set(err, GW_HSEC_INVALID,
                            "%s.allowed_hosts[%zu]: Error parsing AllowedHost: %s", path, i,
                            rerr.msg);
                return GW_HSEC_INVALID;
            }
            continue;
        }
        h->re = gw_re2_compile_literal(hosts[i], len, true, &rerr);
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

static bool set_ssl_proxy(struct gw_httpsecure *s, const json_t *obj, const char *path,
                          struct gw_sec_warnings *w)
{
    json_t *v = json_object_get(obj, "ssl_proxy_headers"), *val;
    const char *key;

    if (!v)
        return true;
    if (!json_is_object(v)) {
        gw_sec_warn(w, "%s.ssl_proxy_headers: not an object; ignored, as KrakenD does", path);
        return true;
    }
    s->ssl_proxy = calloc(json_object_size(v) + 1, sizeof(*s->ssl_proxy));
    if (!s->ssl_proxy)
        return false;
    json_object_foreach((json_t *)(uintptr_t)v, key, val)
    {
        struct gw_hsec_pair *p = &s->ssl_proxy[s->n_ssl_proxy];
        if (!json_is_string(val)) {
            gw_sec_warn(w, "%s.ssl_proxy_headers.%s: not a string; dropped, as KrakenD does", path,
                        key);
            continue;
        }
        /* r.Header.Get canonicalises the name */
        p->name = gw_sec_canonical_header(key);
        p->value = strdup(json_string_value(val));
        s->n_ssl_proxy++;
        if (!p->name || !p->value)
            return false;
        if (!*p->value)
            gw_sec_warn(w,
                        "%s.ssl_proxy_headers.%s: an empty value also matches requests without "
                        "the header: every request counts as HTTPS",
                        path, key);
    }
    return true;
}

/* sts_seconds: getInt64 reads a JSON number (a float64) truncated. */
static void set_sts(struct gw_httpsecure *s, const json_t *obj, const char *path,
                    struct gw_sec_warnings *w)
{
    json_t *v = json_object_get(obj, "sts_seconds");
    double d;

    if (!v)
        return;
    if (!json_is_number(v)) {
        gw_sec_warn(w, "%s.sts_seconds: not a number; ignored, as KrakenD does", path);
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
        gw_re2_destroy(s->hosts[i].re);
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
    free(s);
}

static bool canonical_proxy_headers(struct gw_httpsecure *s)
{
    for (size_t i = 0; i < s->n_proxy_headers; i++) {
        char *c = gw_sec_canonical_header(s->proxy_headers[i]);
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

static bool set_strings(struct gw_httpsecure *s, const json_t *v, const char *path,
                        struct gw_sec_warnings *w)
{
    const char *frame = get_string(v, "custom_frame_options_value", path, w);
    bool deny = get_bool(v, "frame_deny", path, w);

    /* the custom value wins over frame_deny */
    return dup_opt(frame && *frame ? frame
                   : deny          ? "DENY"
                                   : NULL,
                   &s->frame) &&
           dup_opt(get_string(v, "referrer_policy", path, w), &s->referrer) &&
           dup_opt(get_string(v, "ssl_host", path, w), &s->ssl_host) &&
           set_csp(s, get_string(v, "content_security_policy", path, w));
}

enum gw_hsec_status gw_httpsecure_new(const json_t *v, const char *path, struct gw_httpsecure **out,
                                      struct gw_sec_warnings *w, struct cmn_err *err)
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
        gw_sec_warn(w, "%s: not an object: the module is off, as in KrakenD", path);
        return GW_HSEC_OK;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        goto out;
    if (!get_strings(v, "allowed_hosts", path, &hosts, &n_hosts, w) ||
        !get_strings(v, "host_proxy_headers", path, &s->proxy_headers, &s->n_proxy_headers, w) ||
        !canonical_proxy_headers(s))
        goto out;
    s->hosts_regex = get_bool(v, "allowed_hosts_are_regex", path, w);
    s->force_sts = get_bool(v, "force_sts_header", path, w);
    s->nosniff = get_bool(v, "content_type_nosniff", path, w);
    s->xss = get_bool(v, "browser_xss_filter", path, w);
    s->dev = get_bool(v, "is_development", path, w);
    s->sts_subdomains = get_bool(v, "sts_include_subdomains", path, w);
    s->ssl_redirect = get_bool(v, "ssl_redirect", path, w);
    set_sts(s, v, path, w);
    snprintf(s->hsts, sizeof(s->hsts), "max-age=%lld%s", (long long)s->sts_seconds,
             s->sts_subdomains ? "; includeSubDomains" : "");
    if (!set_strings(s, v, path, w) || !set_ssl_proxy(s, v, path, w))
        goto out;
    if (json_object_get(v, "hpkp_public_key"))
        gw_sec_warn(w, "%s.hpkp_public_key: not applied: KrakenD CE never sends Public-Key-Pins",
                    path);
    if (s->dev)
        gw_sec_warn(w,
                    "%s.is_development: allowed_hosts, ssl_redirect and Strict-Transport-Security "
                    "are not applied",
                    path);
    st = set_hosts(s, hosts, n_hosts, path, err);
    if (st != GW_HSEC_OK)
        goto out;
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
