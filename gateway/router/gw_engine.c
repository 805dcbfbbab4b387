/* gw_engine.c - gin's engine settings from the `router` namespace (see gw_engine.h). */
#include "gw_engine.h"

#include <stdlib.h>
#include <string.h>

bool gw_engine_init(struct gw_engine *e, const struct gw_config *cfg)
{
    const struct gw_router_opts *ro = &cfg->router;

    memset(e, 0, sizeof(*e));
    e->cip = *gw_client_ip_defaults();
    e->cip.forwarded = ro->forwarded_by_client_ip;
    e->remove_extra_slash = ro->remove_extra_slash;
    e->skip_paths = &ro->logger_skip_paths;
    /* lura replaces gin's header list only with a non-empty one */
    if (ro->remote_ip_headers.n > 0) {
        e->headers = calloc(ro->remote_ip_headers.n, sizeof(*e->headers));
        if (!e->headers)
            return false;
        for (size_t i = 0; i < ro->remote_ip_headers.n; i++)
            e->headers[i] = ro->remote_ip_headers.items[i];
        e->cip.headers = e->headers;
        e->cip.n_headers = ro->remote_ip_headers.n;
    }
    /* ... and calls SetTrustedProxies only with a non-empty list; gin keeps the networks
     * parsed before the first invalid entry */
    if (ro->trusted_proxies.n > 0) {
        e->trusted = calloc(ro->trusted_proxies.n, sizeof(*e->trusted));
        if (!e->trusted)
            return false;
        size_t n = 0;
        for (; n < ro->trusted_proxies.n; n++) {
            const char *t = ro->trusted_proxies.items[n];
            if (!cmn_go_parse_trusted_proxy(t, strlen(t), &e->trusted[n]))
                break;
        }
        e->cip.trusted = e->trusted;
        e->cip.n_trusted = n;
    }
    return true;
}

void gw_engine_free(struct gw_engine *e)
{
    if (!e)
        return;
    free(e->headers);
    free(e->trusted);
    memset(e, 0, sizeof(*e));
}

static bool req_field_at(const void *ctx, size_t i, const char **name, const char **value)
{
    const struct cmn_http_request *req = ctx;

    if (i >= req->n_headers)
        return false;
    *name = req->headers[i].name;
    *value = req->headers[i].value;
    return true;
}

void gw_engine_client_ip(const struct gw_engine *e, const struct cmn_http_request *req, char *out,
                         size_t out_size)
{
    gw_client_ip(&e->cip, req->remote_ip, req_field_at, req, out, out_size);
}

bool gw_engine_skip_log(const struct gw_engine *e, const char *path)
{
    for (size_t i = 0; e->skip_paths && i < e->skip_paths->n; i++) {
        if (strcmp(e->skip_paths->items[i], path) == 0)
            return true;
    }
    return false;
}
