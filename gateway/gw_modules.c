/* gw_modules.c - the lists of factories (gw_modules.h). Order is behaviour: each list runs
 * outer to inner, as KrakenD stacks its handlers. */
#include "gw_modules.h"

#include "gw_cel_stage.h"
#include "gw_jsonschema_stage.h"

/* Router middlewares: before routing (security/cors), gin's engine middlewares (security/http,
 * service-level bot detector), then each endpoint's chain (bot detector, telemetry, after the
 * validator: Lua, rate limits, validation). */
static const struct gw_mw_factory *const MIDDLEWARES[] = {
    NULL, /* placeholder: C has no empty initialiser lists; never used (count below) */
};
static const size_t N_MIDDLEWARES = 0;

/* Backend stages, outer to inner: telemetry, qos/circuit-breaker, qos/ratelimit/proxy,
 * modifier/lua-backend, validation/cel, modifier/martian, qos/http-cache. */
static const struct gw_stage_factory *const STAGES[] = {
    &gw_cel_backend_factory,
};
static const size_t N_STAGES = sizeof(STAGES) / sizeof(STAGES[0]);

/* Proxy stages around each endpoint's pipe, outer to inner: modifier/lua-proxy, then
 * validation/cel and validation/json-schema at endpoint level (../shared/spec/
 * krakend-config-transform.md §4.1). */
static const struct gw_pstage_factory *const PSTAGES[] = {
    &gw_cel_endpoint_factory,
    &gw_jsonschema_factory,
};
static const size_t N_PSTAGES = sizeof(PSTAGES) / sizeof(PSTAGES[0]);

struct gw_server_opts gw_modules_opts(void)
{
    return (struct gw_server_opts){NULL,     MIDDLEWARES, N_MIDDLEWARES, STAGES,
                                   N_STAGES, PSTAGES,     N_PSTAGES};
}

bool gw_modules_check(const struct gw_config *cfg, struct cmn_err *err)
{
    struct gw_mw_chains *mws = NULL;

    if (!gw_mw_chains_build(cfg, MIDDLEWARES, N_MIDDLEWARES, &mws, err))
        return false;
    gw_mw_chains_free(mws);
    return gw_stage_check(cfg, STAGES, N_STAGES, err) &&
           gw_pstage_check(cfg, PSTAGES, N_PSTAGES, err);
}
