/* gw_modules.c - the lists of factories (gw_modules.h). Order is behaviour: each list runs
 * outer to inner, as KrakenD stacks its handlers. */
#include "gw_modules.h"

#include "gw_botdetector.h"
#include "gw_clientcredentials.h"
#include "gw_cors.h"
#include "gw_httpsecure.h"
#include "gw_signer.h"

/* Router middlewares: before routing (security/cors), gin's engine middlewares (security/http,
 * service-level bot detector), then each endpoint's chain (bot detector, telemetry, after the
 * validator: auth/signer (krakend-jose's handler right below the validator), Lua, rate limits,
 * validation). */
static const struct gw_mw_factory *const MIDDLEWARES[] = {
    &gw_cors_factory,
    &gw_httpsecure_factory,
    &gw_botdetector_factory,
    &gw_signer_factory,
};
static const size_t N_MIDDLEWARES = sizeof(MIDDLEWARES) / sizeof(MIDDLEWARES[0]);

/* Backend stages, outer to inner: telemetry, qos/circuit-breaker, qos/ratelimit/proxy,
 * modifier/lua-backend, validation/cel, modifier/martian, qos/http-cache, then
 * auth/client-credentials (KrakenD's OAuth2 HTTP client, under the cache). */
static const struct gw_stage_factory *const STAGES[] = {
    &gw_clientcredentials_factory,
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
