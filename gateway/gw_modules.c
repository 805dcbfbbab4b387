/* gw_modules.c - the lists of factories and services (gw_modules.h). Order is behaviour: each
 * list runs outer to inner, as KrakenD stacks its handlers
 * (../shared/spec/krakend-traffic-security.md §1, krakend-telemetry-validation.md §1). */
#include "gw_modules.h"

#include "gw_botdetector.h"
#include "gw_cel_stage.h"
#include "gw_circuitbreaker.h"
#include "gw_clientcredentials.h"
#include "gw_cors.h"
#include "gw_httpcache.h"
#include "gw_httpsecure.h"
#include "gw_jsonschema_stage.h"
#include "gw_logging.h"
#include "gw_lua.h"
#include "gw_martian.h"
#include "gw_otel_module.h"
#include "gw_ratelimit.h"
#include "gw_revoker.h"
#include "gw_signer.h"
#include "gw_stats_module.h"

#include <stdlib.h>

/* Router middlewares: the OpenTelemetry global layer before anything (KrakenD's tracking handler
 * wraps the whole server, so it also measures CORS preflights, 404s and 405s), security/cors
 * before routing, gin's engine middlewares (security/http, service-level bot detector), then
 * each endpoint's chain: the OpenTelemetry route tagger (otelgin, outermost), the bot detector,
 * the telemetry/metrics router layer, and after the validator auth/signer (krakend-jose's
 * handler right below the validator), Lua, rate limits, validation. Within a slot the list's
 * order is the chain's. */
static const struct gw_mw_factory *const MIDDLEWARES[] = {
    &gw_otel_mw_factory,
    &gw_cors_factory,
    &gw_httpsecure_factory,
    /* modifier/lua-endpoint: service level after security/http, before the service's bot
     * detector (engine slot); endpoint level after the validator, before the rate limits
     * (authenticated slot) */
    &gw_lua_endpoint_factory,
    &gw_botdetector_factory,
    &gw_stats_mw_factory,
    &gw_signer_factory,
    &gw_rl_router_factory, /* GW_MW_AUTHENTICATED: client limit, then endpoint limit */
};
static const size_t N_MIDDLEWARES = sizeof(MIDDLEWARES) / sizeof(MIDDLEWARES[0]);

/* Proxy stages around each endpoint's pipe (Lura's proxy middlewares), outer to inner: the
 * OpenTelemetry proxy layer, the telemetry/metrics pipe layer, modifier/lua-proxy, then
 * validation/cel and validation/json-schema at endpoint level
 * (krakend-telemetry-validation.md §1.4, krakend-config-transform.md §4.1). */
static const struct gw_pstage_factory *const PSTAGES[] = {
    &gw_otel_pipe_factory,
    &gw_stats_pipe_factory,
    &gw_lua_proxy_factory,
    &gw_cel_endpoint_factory,
    &gw_jsonschema_factory,
};
static const size_t N_PSTAGES = sizeof(PSTAGES) / sizeof(PSTAGES[0]);

/* Backend stages, outer to inner: the OpenTelemetry backend layer (its round trip and the
 * traceparent too: KrakenD's instrumented transport sits outside qos/http-cache and
 * auth/client-credentials, so their answers and tokens are measured alike), the
 * telemetry/metrics backend layer, qos/circuit-breaker, qos/ratelimit/proxy,
 * modifier/lua-backend, validation/cel, modifier/martian, qos/http-cache, then
 * auth/client-credentials (KrakenD's OAuth2 HTTP client, under the cache). */
static const struct gw_stage_factory *const STAGES[] = {
    &gw_otel_backend_factory,
    &gw_stats_backend_factory,
    &gw_cb_factory,                /* qos/circuit-breaker: counts what every stage inside it does */
    &gw_rl_proxy_factory,          /* qos/ratelimit/proxy: a rejection is a breaker failure */
    &gw_lua_backend_factory,       /* modifier/lua-backend: pre on the request, post on the answer */
    &gw_cel_backend_factory,       /* validation/cel: a rejection is this backend failing */
    &gw_martian_factory,           /* modifier/martian: around the HTTP call, outside the cache */
    &gw_hc_factory,                /* qos/http-cache: a hit still passed all above */
    &gw_clientcredentials_factory, /* under the cache, as KrakenD's OAuth2 client */
};
static const size_t N_STAGES = sizeof(STAGES) / sizeof(STAGES[0]);

/* Telemetry services with a life of their own, started in KrakenD's order (§1.1: the legacy
 * metrics collector with its /__stats listener and the Influx pusher, then OpenTelemetry) and
 * stopped in reverse. */
struct service {
    const char *name;
    bool (*check)(const struct gw_config *cfg, gw_modules_warn_fn warn, void *ctx,
                  struct cmn_err *err);
    bool (*start)(const struct gw_config *cfg, struct cmn_err *err);
    void (*stop)(void);
};

static const struct service SERVICES[] = {
    {"telemetry/metrics", gw_stats_module_check, gw_stats_module_start, gw_stats_module_stop},
    {"telemetry/opentelemetry", gw_otel_module_check, gw_otel_module_start, gw_otel_module_stop},
};
static const size_t N_SERVICES = sizeof(SERVICES) / sizeof(SERVICES[0]);

struct gw_server_opts gw_modules_opts(void)
{
    return (struct gw_server_opts){NULL,     MIDDLEWARES, N_MIDDLEWARES, STAGES,
                                   N_STAGES, PSTAGES,     N_PSTAGES};
}

bool gw_modules_logging(const struct gw_config *cfg, struct cmn_err *err)
{
    return gw_logging_setup(cfg, err);
}

bool gw_modules_check(const struct gw_config *cfg, gw_modules_warn_fn warn, void *ctx,
                      struct cmn_err *err)
{
    struct gw_mw_chains *mws = NULL;
    struct gw_revoker *rev = NULL;
    enum gw_rev_status rs;

    if (!gw_logging_check(cfg, warn, ctx, err))
        return false;
    for (size_t i = 0; i < N_SERVICES; i++) {
        if (!SERVICES[i].check(cfg, warn, ctx, err))
            return false;
    }
    if (!gw_mw_chains_build(cfg, MIDDLEWARES, N_MIDDLEWARES, &mws, err))
        return false;
    gw_mw_chains_free(mws);
    if (!gw_stage_check(cfg, STAGES, N_STAGES, err) ||
        !gw_pstage_check(cfg, PSTAGES, N_PSTAGES, err))
        return false;
    rs = gw_revoker_from_config(cfg, NULL, false, &rev, err);
    gw_revoker_destroy(rev);
    return rs != GW_REV_INVALID && rs != GW_REV_NOMEM;
}

/* validation/cel's JWT phase as the validator's endpoint rejecter. */
static bool cel_rejected(void *ctx, const json_t *claims)
{
    return gw_cel_rejecter_rejects(ctx, claims);
}

static bool cel_rejecter_make(void *ctx, const struct gw_endpoint *ep, struct gw_jwt_rejecter *out,
                              struct cmn_err *err)
{
    bool ok;
    struct gw_cel_rejecter *r = gw_cel_rejecter_new(ep, err, &ok);

    (void)ctx;
    *out = (struct gw_jwt_rejecter){r ? cel_rejected : NULL, r};
    return ok;
}

static void cel_rejecter_release(void *rejecter_ctx)
{
    gw_cel_rejecter_destroy(rejecter_ctx);
}

struct gw_modules_rt {
    struct gw_revoker *revoker; /* the validator's rejecter while it runs */
};

static void services_stop(size_t n)
{
    while (n-- > 0)
        SERVICES[n].stop();
}

bool gw_modules_start(const struct gw_config *cfg, struct gw_validator *val,
                      struct gw_modules_rt **out, struct cmn_err *err)
{
    struct gw_modules_rt *rt = calloc(1, sizeof(*rt));
    enum gw_rev_status rs;

    *out = NULL;
    if (!rt)
        return cmn_err_set(err, 1, "out of memory"), false;
    for (size_t i = 0; i < N_SERVICES; i++) {
        if (!SERVICES[i].start(cfg, err)) {
            services_stop(i);
            free(rt);
            return false;
        }
    }
    rs = gw_revoker_from_config(cfg, NULL, true, &rt->revoker, err);
    if (rs == GW_REV_INVALID || rs == GW_REV_NOMEM) {
        services_stop(N_SERVICES);
        free(rt);
        return false;
    }
    if (rt->revoker && val) { /* krakend-jose's rejecter chain: the bloom filter */
        struct gw_jwt_rejecter rej = {gw_revoker_rejected, rt->revoker};
        gw_validator_set_rejecter(val, &rej);
    }
    if (val) {
        struct gw_jwt_rejecter_factory f = {cel_rejecter_make, cel_rejecter_release, NULL};
        gw_validator_set_rejecter_factory(val, &f);
    }
    *out = rt;
    return true;
}

void gw_modules_stop(struct gw_modules_rt *rt)
{
    if (rt) {
        gw_revoker_destroy(rt->revoker);
        services_stop(N_SERVICES);
        free(rt);
    }
    gw_logging_stop(); /* the logger outlives everything it logged for */
}
