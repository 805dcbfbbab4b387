/* gw_rl_router.c - the endpoint limiter of qos/ratelimit/router: the client limiter wraps the
 * endpoint limiter (§5.7, [rl:router/gin/gin.go]). */
#include "gw_rl_int.h"

#include "cmn_go_value.h"
#include "cmn_str.h"

#include <stdlib.h>
#include <string.h>

#define DATA_TTL_NS (10LL * 60 * 1000000000)

struct gw_rl_router {
    struct gw_rl_router_config cfg; /* own copy: strings duplicated */
    struct gw_rl_limiter *endpoint; /* NULL when off */
    struct gw_rl_store *store;      /* borrowed; NULL when the client limit is off */
    struct gw_rl_client_class cls;
};

static bool copy_config(struct gw_rl_router_config *dst, const struct gw_rl_router_config *src)
{
    *dst = *src;
    dst->strategy_text = cmn_strndup(src->strategy_text ? src->strategy_text : "",
                                     src->strategy_text ? strlen(src->strategy_text) : 0);
    dst->key = cmn_strndup(src->key ? src->key : "", src->key ? strlen(src->key) : 0);
    dst->key_header = cmn_strndup(src->key_header ? src->key_header : "",
                                  src->key_header ? strlen(src->key_header) : 0);
    return dst->strategy_text && dst->key && dst->key_header;
}

struct gw_rl_router *gw_rl_router_new(const struct gw_rl_router_config *c,
                                      struct gw_rl_store *store, double jitter_r, int64_t now_ns,
                                      struct cmn_err *err)
{
    struct gw_rl_router *r = calloc(1, sizeof(*r));

    if (!r || !copy_config(&r->cfg, c))
        goto nomem;
    if (c->endpoint_on) {
        r->endpoint = gw_rl_limiter_new(&c->endpoint, now_ns);
        if (!r->endpoint)
            goto nomem;
    }
    if (c->client_on) {
        if (!store) {
            cmn_err_set(err, GW_RL_INVALID, "rate limit: a client limit needs a client store");
            goto fail;
        }
        r->store = store;
        r->cls.key = gw_rl_store_derive_key(store);
        r->cls.capacity = c->client.capacity ? c->client.capacity : 1;
        r->cls.fill_ns = c->client.fill_ns > 0 ? c->client.fill_ns : 1;
        r->cls.ttl_ns = DATA_TTL_NS;
        if (c->ttl_jitter) {
            if (!(jitter_r >= 0 && jitter_r < 1))
                jitter_r = 0;
            /* Go: time.Duration(int64((1 + 0.25*r) * float64(every))) */
            r->cls.ttl_ns = cmn_go_f64_to_i64((1 + 0.25 * jitter_r) * (double)c->every_ns);
            if (r->cls.ttl_ns < DATA_TTL_NS)
                r->cls.ttl_ns = INT64_MAX; /* beyond a Duration: never idle long enough */
        }
        r->cls.sweep_t0_ns = now_ns;
        r->cls.sweep_period_ns = c->cleanup_ns > 0 ? c->cleanup_ns : 1000000000;
    }
    return r;
nomem:
    cmn_err_set(err, GW_RL_NOMEM, "rate limit: out of memory");
fail:
    gw_rl_router_destroy(r);
    return NULL;
}

void gw_rl_router_destroy(struct gw_rl_router *r)
{
    if (!r)
        return;
    gw_rl_limiter_destroy(r->endpoint);
    gw_rl_router_config_free(&r->cfg);
    free(r);
}

int64_t gw_rl_router_ttl_ns(const struct gw_rl_router *r)
{
    return r->cls.ttl_ns;
}

enum gw_rl_decision gw_rl_router_check(struct gw_rl_router *r, const struct gw_inreq *in,
                                       const char *client_ip, int64_t now_ns)
{
    if (r->store) {
        size_t n;
        const char *key = gw_rl_client_key(&r->cfg, in, client_ip, &n);

        if (!key || n == 0 || !gw_rl_store_allow(r->store, &r->cls, key, n, now_ns))
            return GW_RL_CLIENT_LIMITED;
    }
    if (r->endpoint && !gw_rl_limiter_allow(r->endpoint, now_ns))
        return GW_RL_ENDPOINT_LIMITED;
    return GW_RL_PASS;
}
