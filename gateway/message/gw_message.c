/* gw_message.c - the requests and answers that cross the gateway: their life, and gin's ClientIP. */
#include "gw_message.h"

#include "cmn_go_strings.h"
#include "cmn_str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_inreq_free(struct gw_inreq *r)
{
    if (!r)
        return;
    if (r->strs) {
        free(r->strs);
    } else {
        free(r->method);
        free(r->path);
        free(r->raw_query);
        free(r->host);
        free(r->client_ip);
        free(r->body);
    }
    gw_hdrs_free(&r->headers);
    for (size_t i = 0; i < r->n_params; i++) {
        free(r->params[i].name);
        free(r->params[i].value);
    }
    free(r->params);
    if (r->claims_free && r->claims_ctx)
        r->claims_free(r->claims_ctx);
    free(r->values);
    memset(r, 0, sizeof(*r));
}

struct gw_inreq_values {
    struct {
        const void *key;
        void *value;
    } v[GW_INREQ_VALUES];
    size_t n;
};

bool gw_inreq_set_value(struct gw_inreq *r, const void *key, void *value)
{
    struct gw_inreq_values *vs = r->values;

    for (size_t i = 0; vs && i < vs->n; i++) {
        if (vs->v[i].key == key) {
            vs->v[i].value = value;
            return true;
        }
    }
    if (!key || (vs && vs->n == GW_INREQ_VALUES))
        return false;
    if (!vs && !(vs = r->values = calloc(1, sizeof(*vs))))
        return false;
    vs->v[vs->n].key = key;
    vs->v[vs->n++].value = value;
    return true;
}

void *gw_inreq_value(const struct gw_inreq *r, const void *key)
{
    const struct gw_inreq_values *vs = r ? r->values : NULL;

    for (size_t i = 0; vs && i < vs->n; i++) {
        if (vs->v[i].key == key)
            return vs->v[i].value;
    }
    return NULL;
}

static bool dup_field(char **f, size_t n)
{
    char *c;

    if (!*f)
        return true;
    c = malloc(n + 1);
    if (!c)
        return false;
    memcpy(c, *f, n);
    c[n] = '\0';
    *f = c;
    return true;
}

bool gw_inreq_own_strings(struct gw_inreq *r)
{
    struct gw_inreq t = *r;

    if (!r->strs)
        return true;
    if (!dup_field(&t.method, t.method ? strlen(t.method) : 0) ||
        !dup_field(&t.path, t.path ? strlen(t.path) : 0) ||
        !dup_field(&t.raw_query, t.raw_query ? strlen(t.raw_query) : 0) ||
        !dup_field(&t.host, t.host ? strlen(t.host) : 0) ||
        !dup_field(&t.client_ip, t.client_ip ? strlen(t.client_ip) : 0) ||
        !dup_field(&t.body, t.body_len)) {
        /* only the copies made so far point outside the block */
        char *const mine[] = {t.method, t.path, t.raw_query, t.host, t.client_ip, t.body};
        char *const theirs[] = {r->method, r->path, r->raw_query, r->host, r->client_ip, r->body};
        for (size_t i = 0; i < 6; i++) {
            if (mine[i] != theirs[i])
                free(mine[i]);
        }
        return false;
    }
    free(r->strs);
    t.strs = NULL;
    *r = t;
    return true;
}

bool gw_outreq_copy(struct gw_outreq *dst, const struct gw_outreq *src)
{
    *dst = *src;
    dst->method = strdup(src->method);
    dst->url = strdup(src->url);
    dst->host = src->host ? strdup(src->host) : NULL;
    gw_hdrs_init(&dst->headers, src->headers.max);
    if (!dst->method || !dst->url || (src->host && !dst->host))
        goto fail;
    for (size_t i = 0; i < src->headers.n; i++) {
        if (!gw_hdrs_add(&dst->headers, src->headers.v[i].name, src->headers.v[i].value))
            goto fail;
    }
    return true;
fail:
    gw_outreq_free(dst);
    return false;
}

void gw_outreq_free(struct gw_outreq *o)
{
    if (!o)
        return;
    free(o->method);
    free(o->url);
    free(o->host);
    gw_hdrs_free(&o->headers);
    memset(o, 0, sizeof(*o));
}

/* ---- client IP ----------------------------------------------------------------------------- */

static bool trusted(const struct gw_client_ip_rules *r, const struct cmn_go_ip *ip)
{
    for (size_t i = 0; i < r->n_trusted; i++) {
        if (cmn_go_ipnet_contains(&r->trusted[i], ip))
            return true;
    }
    return false;
}

enum walk { W_MORE, W_FOUND, W_REJECTED };

/* One item of the joined header value (gin's validateHeader loop body). */
static enum walk item(const struct gw_client_ip_rules *r, const char *p, size_t n, bool leftmost,
                      char *out, size_t out_size)
{
    struct cmn_go_ip ip;

    cmn_go_trim_space(&p, &n);
    if (!cmn_go_parse_ip(p, n, &ip))
        return W_REJECTED;
    if (!leftmost && trusted(r, &ip))
        return W_MORE;
    snprintf(out, out_size, "%.*s", (int)n, p);
    return W_FOUND;
}

/* gin's validateHeader over strings.Join(values, ","): every line of the header, from the last
 * one, its comma-separated items from the right; no copy of the joined text is made. */
static bool header_ip(const struct gw_client_ip_rules *r, const char *name, gw_field_at_fn at,
                      const void *ctx, char *out, size_t out_size)
{
    const char *fn, *fv;
    size_t first = SIZE_MAX, last = 0;

    for (size_t i = 0; at(ctx, i, &fn, &fv); i++) {
        if (cmn_str_eq_nocase(fn, name)) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
        }
    }
    if (first == SIZE_MAX)
        return false; /* absent: "" is not valid */
    for (size_t i = last + 1; i-- > first;) {
        if (!at(ctx, i, &fn, &fv) || !cmn_str_eq_nocase(fn, name))
            continue;
        size_t end = strlen(fv);
        for (;;) {
            const char *start = fv + end;
            while (start > fv && start[-1] != ',')
                start--;
            bool leftmost = i == first && start == fv;
            enum walk w = item(r, start, (size_t)(fv + end - start), leftmost, out, out_size);
            if (w == W_FOUND)
                return true;
            if (w == W_REJECTED || leftmost)
                return false;
            if (start == fv)
                break; /* on to the previous line */
            end = (size_t)(start - 1 - fv);
        }
    }
    return false;
}

void gw_client_ip(const struct gw_client_ip_rules *r, const char *remote_ip,
                  gw_field_at_fn field_at, const void *ctx, char *out, size_t out_size)
{
    struct cmn_go_ip peer;

    if (!remote_ip || !cmn_go_parse_ip(remote_ip, strlen(remote_ip), &peer)) {
        cmn_strlcpy(out, "", out_size);
        return;
    }
    if (r->forwarded && trusted(r, &peer)) {
        for (size_t i = 0; i < r->n_headers; i++) {
            if (header_ip(r, r->headers[i], field_at, ctx, out, out_size))
                return;
        }
    }
    cmn_strlcpy(out, remote_ip, out_size);
}

const struct gw_client_ip_rules *gw_client_ip_defaults(void)
{
    static const char *const headers[] = {"X-Forwarded-For", "X-Real-Ip"};
    /* gin's defaultTrustedCIDRs: 0.0.0.0/0 and ::/0 (zero masks: every address) */
    static const struct cmn_go_ipnet all[] = {{.len = 4}, {.len = 16}};
    static const struct gw_client_ip_rules rules = {true, headers, 2, all, 2};

    return &rules;
}

void gw_fetch_result_free(struct gw_fetch_result *r)
{
    if (!r)
        return;
    gw_hdrs_free(&r->headers);
    free(r->body);
    free(r->url);
    free(r->error);
    memset(r, 0, sizeof(*r));
}
