/* gw_config_util.c - Go/lura string rules the config needs: durations, header keys, paths,
 * hosts, {params}, integers, and line numbers of JSON values. */
#include "gw_config_int.h"

#include "cmn_json.h"

#include "cmn_str.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *gw_cfg_strdup(const char *s)
{
    return s ? cmn_strndup(s, strlen(s)) : NULL;
}

void gw_strlist_free(struct gw_strlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
    l->set = false;
}

bool gw_strlist_push(struct gw_strlist *l, const char *s)
{
    char **items;
    char *copy;

    if (l->n >= GW_CFG_MAX_LIST)
        return false;
    copy = gw_cfg_strdup(s);
    if (!copy)
        return false;
    items = realloc(l->items, (l->n + 1) * sizeof(*items));
    if (!items) {
        free(copy);
        return false;
    }
    items[l->n++] = copy;
    l->items = items;
    l->set = true;
    return true;
}

bool gw_strlist_has(const struct gw_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

bool gw_strlist_copy(struct gw_strlist *dst, const struct gw_strlist *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (!gw_strlist_push(dst, src->items[i]))
            return false;
    }
    dst->set = src->set;
    return true;
}

/* ---- paths, hosts, params ---- */

char *gw_cfg_clean_path(const char *path)
{
    size_t n;
    char *out;

    if (*path == '/')
        path++;
    n = strlen(path);
    out = malloc(n + 2);
    if (!out)
        return NULL;
    out[0] = '/';
    memcpy(out + 1, path, n + 1);
    return out;
}

static bool host_class(unsigned char ch)
{
    return isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
}

/* One leftmost-first match of (https?://)?([a-zA-Z0-9\._\-]+)(:[0-9]{2,6})?/? at p. */
static bool host_match_at(const char *s, size_t n, size_t p, size_t g[6], size_t *end)
{
    size_t q = p, d = 0;

    g[0] = g[1] = p;
    if (n - p >= 8 && memcmp(s + p, "https://", 8) == 0 && p + 8 < n &&
        host_class((unsigned char)s[p + 8]))
        g[1] = p + 8;
    else if (n - p >= 7 && memcmp(s + p, "http://", 7) == 0 && p + 7 < n &&
             host_class((unsigned char)s[p + 7]))
        g[1] = p + 7;
    q = g[1];
    if (q >= n || !host_class((unsigned char)s[q]))
        return false;
    g[2] = q;
    while (q < n && host_class((unsigned char)s[q]))
        q++;
    g[3] = q;
    g[4] = g[5] = q;
    if (q < n && s[q] == ':') {
        while (q + 1 + d < n && d < 6 && isdigit((unsigned char)s[q + 1 + d]))
            d++;
        if (d >= 2) {
            q += 1 + d;
            g[5] = q;
        }
    }
    if (q < n && s[q] == '/')
        q++;
    *end = q;
    return true;
}

char *gw_cfg_clean_host(const char *host)
{
    size_t n = strlen(host), p = 0, matches = 0, end;
    size_t g[6], first[6] = {0};
    size_t len1, len2, len3;
    char *r;

    while (p < n) {
        if (host_match_at(host, n, p, g, &end)) {
            if (matches++ == 0)
                memcpy(first, g, sizeof(g));
            p = end;
        } else {
            p++;
        }
    }
    if (matches != 1)
        return NULL;
    len1 = first[1] - first[0];
    len2 = first[3] - first[2];
    len3 = first[5] - first[4];
    r = malloc((len1 ? len1 : 7) + len2 + len3 + 1);
    if (!r)
        return NULL;
    if (len1)
        memcpy(r, host + first[0], len1);
    else
        memcpy(r, "http://", len1 = 7);
    memcpy(r + len1, host + first[2], len2);
    memcpy(r + len1 + len2, host + first[4], len3);
    r[len1 + len2 + len3] = '\0';
    return r;
}

static bool rest_param_char(unsigned char ch)
{
    return isalnum(ch) || ch == '-' || ch == '_';
}

static bool url_param_char(unsigned char ch)
{
    return isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == ':' || ch == '/';
}

/* Finds \{(class+)\} (optionally preceded by '/') left to right, non-overlapping. */
static bool find_params(const char *s, bool slash, bool (*cls)(unsigned char),
                        struct gw_strlist *out)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n; i++) {
        size_t open = i, j;
        if (slash) {
            if (s[i] != '/' || i + 1 >= n || s[i + 1] != '{')
                continue;
            open = i + 1;
        } else if (s[i] != '{') {
            continue;
        }
        for (j = open + 1; j < n && cls((unsigned char)s[j]); j++)
            ;
        if (j == open + 1 || j >= n || s[j] != '}')
            continue;
        if (out->n >= GW_CFG_MAX_PARAMS)
            return false;
        char *name = cmn_strndup(s + open + 1, j - open - 1);
        if (!name)
            return false;
        bool ok = gw_strlist_push(out, name);
        free(name);
        if (!ok)
            return false;
        i = j;
    }
    out->set = true;
    return true;
}

bool gw_cfg_endpoint_params(const char *path, bool disable_rest, struct gw_strlist *out)
{
    if (disable_rest)
        return find_params(path, false, url_param_char, out);
    return find_params(path, true, rest_param_char, out);
}

bool gw_cfg_url_params(const char *pattern, struct gw_strlist *out)
{
    return find_params(pattern, false, url_param_char, out);
}

bool gw_cfg_is_exempt_param(const char *name)
{
    if (strncmp(name, "resp", 4) == 0 && isdigit((unsigned char)name[4])) {
        const char *p = name + 4;
        while (isdigit((unsigned char)*p))
            p++;
        if (*p == '_' && p[1] != '\0')
            return true;
    }
    if (strncmp(name, "JWT.", 4) == 0 && name[4] != '\0') {
        for (const char *p = name + 4; *p; p++) {
            if (!url_param_char((unsigned char)*p))
                return false;
        }
        return true;
    }
    return false;
}

/* ---- Go strconv ---- */

bool gw_cfg_parse_goint(const char *s, long long *out)
{
    unsigned long long v = 0, limit;
    unsigned base = 10;
    bool neg = false, prefixed = false, digits = false, last_us = false;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16, s += 2, prefixed = true;
    } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8, s += 2, prefixed = true;
    } else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2, s += 2, prefixed = true;
    } else if (s[0] == '0' && s[1] != '\0') {
        base = 8, s += 1, prefixed = true, digits = true;
    }
    limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    for (; *s; s++) {
        unsigned d;
        if (*s == '_') {
            if (!prefixed || last_us)
                return false;
            last_us = true;
            continue;
        }
        if (isdigit((unsigned char)*s))
            d = (unsigned)(*s - '0');
        else if (isalpha((unsigned char)*s))
            d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (v > (limit - d) / base)
            return false;
        v = v * base + d;
        digits = true;
        last_us = false;
    }
    if (!digits || last_us)
        return false;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return true;
}

bool gw_cfg_parse_gobool(const char *s, bool *out)
{
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

    for (size_t i = 0; i < 6; i++) {
        if (strcmp(s, t[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, f[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* ---- line numbers ---- */

void gw_cfg_scan_lines(const char *t, size_t len, gw_cfg_line_cb cb, void *ud)
{
    cmn_json_scan_lines(t, len, cb, ud);
}

struct line_query {
    const char *path;
    size_t len;
    int line;
};

static bool line_query_cb(const char *path, size_t path_len, int line, void *ud)
{
    struct line_query *q = ud;

    if (path_len == q->len && memcmp(path, q->path, path_len) == 0) {
        q->line = line;
        return true;
    }
    return false;
}

int gw_cfg_line_of(const char *text, size_t len, const char *path)
{
    struct line_query q = {path, strlen(path), 0};

    if (text)
        gw_cfg_scan_lines(text, len, line_query_cb, &q);
    return q.line;
}
