/* gw_httpsecure_mw.c - security/http on the router's seam: one GW_MW_ENGINE middleware for the
 * service, among gin's engine middlewares after the access log and the path-parameter check. */
#include "gw_httpsecure.h"

#include "cmn_log.h"
#include "cmn_rand.h"

static enum gw_mw_verdict request(void *ctx, const struct gw_mw_request *rq, struct gw_mw_out *out)
{
    const struct gw_httpsecure *s = ctx;
    unsigned char nonce[GW_HSEC_NONCE_BYTES];
    const unsigned char *n = NULL;

    if (gw_httpsecure_needs_nonce(s)) {
        /* unrolled/secure answers 500 when crypto/rand fails; so does this */
        if (!cmn_rand_bytes(nonce, sizeof(nonce))) {
            *out->answer = NULL;
            return GW_MW_ANSWER;
        }
        n = nonce;
    }
    return gw_httpsecure_handle(s, rq->http, n, out->headers, out->answer);
}

static void destroy(void *ctx)
{
    gw_httpsecure_destroy(ctx);
}

/* CE reads security/http from the service's extra_config only (the configuration warns about
 * it at other levels). */
static bool build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                  struct gw_mw *mw, struct cmn_err *err)
{
    struct gw_httpsecure *s = NULL;
    const json_t *v;

    (void)ctx;
    if (ep || !cfg->extra_config || !(v = json_object_get(cfg->extra_config, GW_NS_HTTPSECURE)))
        return true;
    if (gw_httpsecure_new(v, "extra_config.security/http", &s, err) != GW_HSEC_OK)
        return false;
    if (!s)
        return true;
    cmn_log_debug(GW_HSEC_STARTUP_LOG);
    mw->name = "security/http";
    mw->slot = GW_MW_ENGINE;
    mw->ctx = s;
    mw->request = request;
    mw->free = destroy;
    return true;
}

const struct gw_mw_factory gw_httpsecure_factory = {"security/http", NULL, build};
