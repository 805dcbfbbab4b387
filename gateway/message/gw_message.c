/* gw_message.c - the requests and answers that cross the gateway: their life, and gin's ClientIP. */
#include "gw_message.h"

#include "cmn_str.h"

#include <arpa/inet.h>
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
    memset(r, 0, sizeof(*r));
}

bool gw_inreq_set_value(struct gw_inreq *r, const void *key, void *value)
{
    for (size_t i = 0; i < r->n_values; i++) {
        if (r->values[i].key == key) {
            r->values[i].value = value;
            return true;
        }
    }
    if (!key || r->n_values == GW_INREQ_VALUES)
        return false;
    r->values[r->n_values].key = key;
    r->values[r->n_values++].value = value;
    return true;
}

void *gw_inreq_value(const struct gw_inreq *r, const void *key)
{
    for (size_t i = 0; r && i < r->n_values; i++) {
        if (r->values[i].key == key)
            return r->values[i].value;
    }
    return NULL;
}

bool gw_outreq_copy(struct gw_outreq *dst, const struct gw_outreq *src)
{
    *dst = *src;
    dst->method = strdup(src->method);
    dst->url = strdup(src->url);
    gw_hdrs_init(&dst->headers, src->headers.max);
    if (!dst->method || !dst->url)
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
    gw_hdrs_free(&o->headers);
    memset(o, 0, sizeof(*o));
}

/* ---- client IP ----------------------------------------------------------------------------- */

static bool parse_ip(const char *s, size_t n)
{
    char buf[64];
    unsigned char addr[16];

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

/* gin's validateHeader: every comma-separated entry from the right must be an IP; returns the
 * left-most one. */
static bool header_ip(const char *v, char *out, size_t out_size)
{
    const char *items[64];
    size_t lens[64], n = 0;
    const char *p = v;

    if (!v || !*v)
        return false;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        while (l && (*p == ' ' || *p == '\t')) {
            p++;
            l--;
        }
        while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
            l--;
        if (n == 64)
            return false;
        items[n] = p;
        lens[n] = l;
        n++;
        if (!c)
            break;
        p = c + 1;
    }
    for (size_t i = n; i-- > 0;) {
        if (!parse_ip(items[i], lens[i]))
            return false;
    }
    snprintf(out, out_size, "%.*s", (int)lens[0], items[0]);
    return true;
}

void gw_client_ip_of(const char *xff, const char *x_real_ip, const char *remote_ip, char *out,
                     size_t out_size)
{
    if (header_ip(xff, out, out_size))
        return;
    if (header_ip(x_real_ip, out, out_size))
        return;
    cmn_strlcpy(out, remote_ip ? remote_ip : "", out_size);
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
