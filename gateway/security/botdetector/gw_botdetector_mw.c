/* gw_botdetector_mw.c - security/bot-detector on the router's seam: the service's detector among
 * gin's engine middlewares (after security/http), an endpoint's first in its own chain. */
#include "gw_botdetector.h"

#include "cmn_rand.h"

#include <stdio.h>

static enum gw_mw_verdict request(void *ctx, const struct gw_mw_request *rq, struct gw_mw_out *out)
{
    return gw_botdetector_handle(ctx, rq->http, out->answer);
}

static void destroy(void *ctx)
{
    gw_botdetector_destroy(ctx);
}

static bool build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  struct gw_mw *mw, struct cmn_err *err)
{
    const json_t *ec = ep ? ep->extra_config : cfg->extra_config;
    char path[512], prefix[512];
    struct gw_bot_params p = {path, prefix, {0, 0}};
    struct gw_botdetector *d = NULL;
    const json_t *v;

    (void)ctx;
    if (!ec || !(v = json_object_get(ec, GW_NS_BOTDETECTOR)))
        return true;
    if (ep) {
        snprintf(path, sizeof(path), "%s.extra_config.security/bot-detector",
                 ep->json_path ? ep->json_path : "endpoints[?]");
        snprintf(prefix, sizeof(prefix), "[ENDPOINT: %s][Botdetector]", ep->path);
    } else {
        snprintf(path, sizeof(path), "extra_config.security/bot-detector");
        snprintf(prefix, sizeof(prefix), GW_BOT_SERVICE_PREFIX);
    }
    if (!cmn_rand_bytes(p.seed, sizeof(p.seed)))
        return cmn_err_set(err, GW_BOT_NOMEM, "%s: no random bytes for the cache's hash", path),
               false;
    switch (gw_botdetector_new(v, &p, &d, err)) {
    case GW_BOT_OK:
        break;
    case GW_BOT_NOT_INSTALLED: /* as KrakenD: warned, and the service runs without it */
        cmn_err_clear(err);
        return true;
    default:
        return false;
    }
    mw->name = "security/bot-detector";
    mw->slot = ep ? GW_MW_ENDPOINT : GW_MW_ENGINE;
    mw->ctx = d;
    mw->request = request;
    mw->free = destroy;
    return true;
}

const struct gw_mw_factory gw_botdetector_factory = {"security/bot-detector", NULL, build};
