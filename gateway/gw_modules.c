/* gw_modules.c - the lists of factories (gw_modules.h). Order is behaviour: each list runs
 * outer to inner, as KrakenD stacks its handlers. */
#include "gw_modules.h"

#include "gw_circuitbreaker.h"
#include "gw_httpcache.h"
#include "gw_ratelimit.h"

/* Router middlewares: before routing (security/cors), gin's engine middlewares (security/http,
 * service-level bot detector), then each endpoint's chain (bot detector, telemetry, after the
 * validator: Lua, rate limits, validation). */
static const struct gw_mw_factory *const MIDDLEWARES[] = {
    &gw_rl_router_factory, /* GW_MW_AUTHENTICATED: client limit, then endpoint limit */
};
static const size_t N_MIDDLEWARES = sizeof(MIDDLEWARES) / sizeof(MIDDLEWARES[0]);

/* Backend stages, outer to inner: telemetry, qos/circuit-breaker, qos/ratelimit/proxy,
 * modifier/lua-backend, validation/cel, modifier/martian, qos/http-cache. */
static const struct gw_stage_factory *const STAGES[] = {
    &gw_cb_factory,       /* qos/circuit-breaker: counts what every stage inside it does */
    &gw_rl_proxy_factory, /* qos/ratelimit/proxy: a rejection is a breaker failure */
    &gw_hc_factory,       /* qos/http-cache: innermost; a hit still passed both above */
};
static const size_t N_STAGES = sizeof(STAGES) / sizeof(STAGES[0]);

struct gw_server_opts gw_modules_opts(void)
{
    return (struct gw_server_opts){NULL, MIDDLEWARES, N_MIDDLEWARES, STAGES, N_STAGES};
}

bool gw_modules_check(const struct gw_config *cfg, struct cmn_err *err)
{
    struct gw_mw_chains *mws = NULL;

    if (!gw_mw_chains_build(cfg, MIDDLEWARES, N_MIDDLEWARES, &mws, err))
        return false;
    gw_mw_chains_free(mws);
    return gw_stage_check(cfg, STAGES, N_STAGES, err);
}
