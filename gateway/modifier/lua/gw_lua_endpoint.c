/* gw_lua_endpoint.c - modifier/lua-endpoint (krakend-lua's router/gin): `pre` on the client's
 * request as a gin middleware. At service level it runs for every routed request and for 404s
 * and 405s, but not /__health (GW_MW_ENGINE); at endpoint level after the validator and before
 * the rate limits (GW_MW_AUTHENTICATED). Errors answer at once (§4.6): at service level always
 * 500; at endpoint level custom_error's status (with its Content-Type), else 500; bodies are
 * empty and the gateway's own headers absent, as gin's AbortWithError leaves them. */
#include "gw_lua.h"

#include "cmn_clock.h"
#include "cmn_go_header.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_lua_int.h"

#include <stdlib.h>
#include <string.h>

struct lua_mw {
    struct gw_lua_block *b;
    const struct gw_endpoint *ep; /* NULL at service level */
    int64_t timeout_ms;
};

static void mw_free(void *ctx)
{
    struct lua_mw *m = ctx;

    if (!m)
        return;
    gw_lua_block_destroy(m->b);
    free(m);
}

/* The request of a route without one (404, 405, /__debug/ ...) for the service script: the
 * script may read it; what it changes goes nowhere, as nothing reads it after. */
static bool request_of(const struct gw_mw_request *rq, struct gw_inreq *in)
{
    const struct cmn_http_request *h = rq->http;
    char canon[256];

    memset(in, 0, sizeof(*in));
    gw_hdrs_init(&in->headers, GW_MAX_HEADERS);
    in->method = strdup(h->method);
    in->path = strdup(rq->path);
    in->raw_query = strdup(h->query ? h->query : "");
    in->client_ip = strdup(rq->client_ip ? rq->client_ip : "");
    in->body = cmn_strndup(h->body ? h->body : "", h->body ? h->body_len : 0);
    in->body_len = h->body ? h->body_len : 0;
    if (!in->method || !in->path || !in->raw_query || !in->client_ip || !in->body)
        return false;
    for (size_t i = 0; i < h->n_headers; i++) {
        if (cmn_str_eq_nocase(h->headers[i].name, "Host")) {
            if (!in->host && !(in->host = strdup(h->headers[i].value)))
                return false;
            continue;
        }
        cmn_go_canonical_header(h->headers[i].name, canon, sizeof(canon));
        if (!gw_hdrs_add(&in->headers, canon, h->headers[i].value))
            break;
    }
    return true;
}

static enum gw_mw_verdict fail(const struct lua_mw *m, struct gw_lua_error *le,
                               struct gw_mw_out *out)
{
    struct cmn_http_response *r;

    if (m->ep && le->status) { /* custom_error with a code: that status, nothing logged */
        r = cmn_http_response_new(le->status);
        if (r && le->content_type)
            cmn_http_response_add_header(r, "Content-Type", le->content_type);
    } else {
        cmn_log_error("%s %s", m->b->log_prefix, le->msg ? le->msg : "");
        r = cmn_http_response_new(500);
    }
    gw_lua_error_free(le);
    *out->answer = r;
    return GW_MW_ANSWER;
}

static enum gw_mw_verdict mw_request(void *ctx, const struct gw_mw_request *rq,
                                     struct gw_mw_out *out)
{
    struct lua_mw *m = ctx;
    struct gw_inreq tmp, *in = rq->in;
    struct gw_lua_target t = {.kind = GW_LUA_T_CTX,
                              .ep = m->ep ? m->ep : rq->ep,
                              .raw_path = rq->http->path,
                              .deadline_ms = rq->now_ms + m->timeout_ms};
    struct gw_lua_session *s;
    struct gw_lua_error le;
    bool ok;

    if (!in) {
        in = &tmp;
        if (!request_of(rq, &tmp)) {
            gw_inreq_free(&tmp);
            *out->answer = cmn_http_response_new(500);
            return GW_MW_ANSWER;
        }
    }
    if (!t.deadline_ms || rq->now_ms == 0)
        t.deadline_ms = cmn_clock_mono_ms() + m->timeout_ms;
    t.in = in;
    s = gw_lua_session_open(m->b, &t, &le);
    ok = s && gw_lua_session_run(s, GW_LUA_PRE, &le);
    gw_lua_session_close(s);
    if (in == &tmp)
        gw_inreq_free(&tmp);
    return ok ? GW_MW_NEXT : fail(m, &le, out);
}

static bool mw_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_mw *mw, struct cmn_err *err)
{
    const json_t *extra = ep ? ep->extra_config : cfg->extra_config;
    struct gw_lua_block *b;
    struct lua_mw *m;

    (void)ctx;
    if (gw_endpoint_has_signer(ep)) { /* TokenSigner replaces the handler Lua wraps */
        if (json_object_get(extra, GW_NS_LUA_ENDPOINT))
            cmn_log_warn("[ENDPOINT: %s][Lua] modifier/lua-endpoint is ignored: auth/signer "
                         "replaces the endpoint's handler, as in KrakenD",
                         ep->path);
        return true;
    }
    b = gw_lua_block_new(json_object_get(extra, GW_NS_LUA_ENDPOINT),
                         ep ? GW_LUA_ENDPOINT : GW_LUA_SERVICE, ep ? ep->path : NULL, err);
    if (!b)
        return err->msg[0] == '\0';
    m = calloc(1, sizeof(*m));
    if (!m) {
        gw_lua_block_destroy(b);
        cmn_err_set(err, 1, "out of memory");
        return false;
    }
    m->b = b;
    m->ep = ep;
    m->timeout_ms = ep ? ep->timeout_ms : cfg->timeout_ms;
    cmn_log_debug("%s Middleware is now ready", b->log_prefix);
    *mw = (struct gw_mw){.name = "modifier/lua-endpoint",
                         .slot = ep ? GW_MW_AUTHENTICATED : GW_MW_ENGINE,
                         .ctx = m,
                         .request = mw_request,
                         .free = mw_free};
    return true;
}

const struct gw_mw_factory gw_lua_endpoint_factory = {"modifier/lua-endpoint", NULL, mw_build};
