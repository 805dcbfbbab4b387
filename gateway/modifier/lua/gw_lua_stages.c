/* gw_lua_stages.c - modifier/lua-proxy and modifier/lua-backend (krakend-lua's proxy.New): per
 * call a session runs the sources and `pre`, then (unless skip_next) the pipe or the backend,
 * then `post` on the response, unless what ran inside returned an error: that goes out as it
 * came, without `post` (../shared/spec/krakend-config-transform.md §4.3). */
#include "gw_lua.h"

#include "cmn_log.h"
#include "gw_lua_int.h"
#include "gw_proxy_request.h"

#include <stdlib.h>
#include <string.h>

struct lua_stage {
    struct gw_lua_block *b;
    const struct gw_endpoint *ep;
    const struct gw_backend *backend;
};

static void stage_free(void *ctx)
{
    struct lua_stage *ls = ctx;

    if (!ls)
        return;
    gw_lua_block_destroy(ls->b);
    free(ls);
}

static struct lua_stage *stage_new(const json_t *extra, const char *ns, enum gw_lua_level level,
                                   const char *where, struct cmn_err *err)
{
    struct gw_lua_block *b = gw_lua_block_new(json_object_get(extra, ns), level, where, err);
    struct lua_stage *ls;

    if (!b)
        return NULL;
    ls = calloc(1, sizeof(*ls));
    if (!ls) {
        gw_lua_block_destroy(b);
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    ls->b = b;
    cmn_log_debug("%s Middleware is now ready", b->log_prefix);
    return ls;
}

static void to_perr(struct gw_lua_error *le, struct gw_perr *err)
{
    gw_perr_free(err);
    gw_lua_error_to_perr(le, err);
}

/* After `post`: the response the script left must be one the rest of the gateway can walk. */
static bool data_ok(const struct gw_lua_session *s, struct gw_presp *resp, struct gw_perr *err)
{
    if (!gw_lua_session_made_data(s) ||
        gw_lua_json_depth(resp->data, GW_BACKEND_JSON_DEPTH, NULL, NULL) <= GW_BACKEND_JSON_DEPTH)
        return true;
    gw_perr_set(err, "lua: the response data nests deeper than 128 levels");
    return false;
}

/* Drops a response a script may have nested past any recursion's reach. */
static void drop(struct gw_presp **resp)
{
    if (!*resp)
        return;
    gw_lua_json_free((*resp)->data);
    (*resp)->data = NULL;
    gw_presp_destroy(*resp);
    *resp = NULL;
}

/* `post` on *resp; false with err set (and *resp dropped) when it fails. */
static bool run_post(struct gw_lua_session *s, struct gw_presp **resp, struct gw_perr *err)
{
    struct gw_lua_error le;

    if (!*resp)
        *resp = gw_presp_new();
    if (!*resp || !gw_lua_session_response(s, *resp)) {
        gw_perr_set(err, "out of memory");
        drop(resp);
        return false;
    }
    if (!gw_lua_session_run(s, GW_LUA_POST, &le)) {
        to_perr(&le, err);
        drop(resp);
        return false;
    }
    if (!data_ok(s, *resp, err)) {
        drop(resp);
        return false;
    }
    return true;
}

/* A session for the call (kept in *state for the later hooks) and its `pre` script; false with
 * err set when either fails. */
static bool run_pre(struct lua_stage *ls, const struct gw_lua_target *t, void **state,
                    struct gw_perr *err)
{
    struct gw_lua_error le;
    struct gw_lua_session *s = gw_lua_session_open(ls->b, t, &le);

    if (!s) {
        to_perr(&le, err);
        return false;
    }
    *state = s;
    if (!gw_lua_session_run(s, GW_LUA_PRE, &le)) {
        to_perr(&le, err);
        return false;
    }
    return true;
}

/* ---- modifier/lua-backend ------------------------------------------------------------------- */

static enum gw_stage_verdict backend_before(void *ctx, struct gw_stage_call *call,
                                            struct gw_perr *err)
{
    struct lua_stage *ls = ctx;
    struct gw_lua_target t = {.kind = GW_LUA_T_BACKEND,
                              .out = call->out,
                              .client = call->in,
                              .seq_params = call->seq_params,
                              .n_seq_params = call->n_seq_params,
                              .ep = call->ep,
                              .backend = call->backend,
                              .deadline_ms = call->now_ms + call->ep->timeout_ms};
    struct cmn_err ce;

    if (!run_pre(ls, &t, &call->state, err))
        return GW_STAGE_FAIL;
    /* what the script set is sent: Go's client refuses what it may not send */
    if (!gw_outreq_fields_ok(call->out, &ce)) {
        gw_perr_set(err, ce.msg);
        return GW_STAGE_FAIL;
    }
    return ls->b->skip_next ? GW_STAGE_SKIP : GW_STAGE_NEXT;
}

static void backend_after(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                          struct gw_perr *err, bool *has_err)
{
    (void)ctx;
    if (*has_err || !call->state)
        return; /* the error goes out as it came: post does not run */
    if (!run_post(call->state, resp, err))
        *has_err = true;
}

static void backend_end(void *ctx, struct gw_stage_call *call)
{
    (void)ctx;
    gw_lua_session_close(call->state);
    call->state = NULL;
}

static bool backend_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                          const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    struct lua_stage *ls;

    (void)ctx;
    (void)cfg;
    ls = stage_new(b->extra_config, GW_NS_LUA_BACKEND, GW_LUA_BACKEND, b->url_pattern, err);
    if (!ls)
        return err->msg[0] == '\0';
    ls->ep = ep;
    ls->backend = b;
    *st = (struct gw_stage){"modifier/lua-backend", ls,          backend_before, NULL, NULL,
                            backend_after,          backend_end, stage_free};
    return true;
}

const struct gw_stage_factory gw_lua_backend_factory = {"modifier/lua-backend", NULL,
                                                        backend_build};

/* ---- modifier/lua-proxy --------------------------------------------------------------------- */

static enum gw_stage_verdict proxy_before(void *ctx, struct gw_pstage_call *call,
                                          struct gw_perr *err)
{
    struct lua_stage *ls = ctx;
    struct gw_lua_target t = {
        .kind = GW_LUA_T_PROXY, .in = call->in, .ep = call->ep, .deadline_ms = call->deadline_ms};

    if (!run_pre(ls, &t, &call->state, err))
        return GW_STAGE_FAIL;
    return ls->b->skip_next ? GW_STAGE_SKIP : GW_STAGE_NEXT;
}

static void proxy_after(void *ctx, struct gw_pstage_call *call, struct gw_presp **resp,
                        const struct gw_pipe_err *err, struct gw_perr *fail)
{
    (void)ctx;
    if (err->n > 0 || !call->state)
        return; /* errors (partial merges too) go out as they came: post does not run */
    run_post(call->state, resp, fail);
}

static void proxy_end(void *ctx, struct gw_pstage_call *call)
{
    (void)ctx;
    gw_lua_session_close(call->state);
    call->state = NULL;
}

static bool proxy_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        struct gw_pstage *st, struct cmn_err *err)
{
    struct lua_stage *ls;

    (void)ctx;
    (void)cfg;
    ls = stage_new(ep->extra_config, GW_NS_LUA_PROXY, GW_LUA_PROXY, ep->path, err);
    if (!ls)
        return err->msg[0] == '\0';
    ls->ep = ep;
    *st = (struct gw_pstage){"modifier/lua-proxy", ls,        proxy_before,
                             proxy_after,          proxy_end, stage_free};
    return true;
}

const struct gw_pstage_factory gw_lua_proxy_factory = {"modifier/lua-proxy", NULL, proxy_build};
