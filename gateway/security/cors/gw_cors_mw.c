/* gw_cors_mw.c - security/cors on the router's seam: one GW_MW_OUTER middleware for the service
 * (KrakenD wraps the whole HTTP handler with rs/cors, so it runs before routing). */
#include "gw_cors.h"

#include "cmn_clock.h"
#include "cmn_log.h"

#include <time.h>

static enum gw_mw_verdict request(void *ctx, const struct gw_mw_request *rq, struct gw_mw_out *out)
{
    const struct gw_cors *c = ctx;
    struct tm tm, *now = NULL;

    if (gw_cors_debug(c) && cmn_log_enabled(CMN_LOG_DEBUG)) {
        /* the trace line carries the time rs/cors's Go logger wrote it at */
        time_t t = (time_t)(cmn_clock_unix_ms() / 1000);
        now = localtime_r(&t, &tm);
    }
    return gw_cors_handle(c, rq->http, now, out->headers, out->answer);
}

static void destroy(void *ctx)
{
    gw_cors_destroy(ctx);
}

/* CE reads security/cors from the service's extra_config only (the config warns about it
 * elsewhere, as it warns about any namespace at a level where it is not read). */
static bool build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  struct gw_mw *mw, struct cmn_err *err)
{
    struct gw_cors *c = NULL;
    const json_t *v;

    (void)ctx;
    if (ep || !cfg->extra_config || !(v = json_object_get(cfg->extra_config, GW_NS_CORS)))
        return true;
    if (gw_cors_new(v, "extra_config.security/cors", &c, err) != GW_CORS_OK)
        return false;
    if (!c)
        return true;
    cmn_log_debug(GW_CORS_STARTUP_LOG);
    mw->name = "security/cors";
    mw->slot = GW_MW_OUTER;
    mw->ctx = c;
    mw->request = request;
    mw->free = destroy;
    return true;
}

const struct gw_mw_factory gw_cors_factory = {"security/cors", NULL, build};
