/* gw_martian_stage.c - the martian backend stage (krakend-martian's HTTPRequestExecutor): the
 * request modifiers before the HTTP call (an error fails the call; static.Modifier answers
 * without one), the response modifiers on the answer (an error fails the call). A configuration
 * martian refuses is logged and the backend runs without it, as in KrakenD; one that sets a
 * header no client could send stops the configuration (docs/modifiers.md). */
#include "gw_martian.h"

#include "cmn_http_field.h"
#include "cmn_json.h"
#include "cmn_log.h"
#include "gw_martian_int.h"
#include "gw_proxy_request.h"

#include <stdlib.h>
#include <string.h>

struct state {
    struct gw_mart_req req;
    struct gw_outreq snap_o; /* the request as sent, for the response side */
    struct gw_mart_req snap;
    bool has_snap;
};

static void state_free(struct state *st)
{
    if (!st)
        return;
    gw_mart_req_free(&st->req);
    gw_mart_req_free(&st->snap);
    gw_outreq_free(&st->snap_o);
    free(st);
}

/* Headers the response side leaves that break the one field rule are dropped, each with a
 * warning: a no-op answer hands them to the client. Today's modifiers cannot make one (values come
 * from the checked configuration, the parsed answer, the checked request or Go's cookie
 * sanitiser), so this guards the rule, not a known path. */
static void drop_bad_fields(struct gw_fetch_result *res)
{
    size_t i = 0;

    while (i < res->headers.n) {
        const struct gw_hdr *h = &res->headers.v[i];
        if (cmn_http_field_name_ok_str(h->name) && cmn_http_field_value_ok_str(h->value)) {
            i++;
            continue;
        }
        cmn_log_warn("[Martian] response header %s is not a valid field: dropped", h->name);
        /* the strings stay in the list's blocks, freed with it */
        memmove(&res->headers.v[i], &res->headers.v[i + 1],
                (res->headers.n - i - 1) * sizeof(res->headers.v[0]));
        res->headers.n--;
    }
}

/* The response side on res: errors become the call's error, as a failing executor's. */
static void respond(const struct gw_mart_tree *t, struct state *st, struct gw_fetch_result *res)
{
    struct gw_mart_res mr = {res, st && st->has_snap ? &st->snap : NULL};
    struct cmn_err err = {0};

    if (res->status == 0) /* krakend-martian: a zero status is 200 before the modifiers */
        res->status = 200;
    if (gw_mart_ref_response(&t->root, &mr, &err) == 0) {
        drop_bad_fields(res);
        return;
    }
    free(res->error);
    res->error = strdup(err.msg[0] ? err.msg : "martian: response modifier failed");
}

static enum gw_stage_verdict mart_http_request(void *ctx, struct gw_stage_call *call,
                                               struct gw_fetch_result **res, struct gw_perr *err)
{
    const struct gw_mart_tree *t = ctx;
    struct state *st = call->state;
    struct cmn_err e = {0};

    if (st) /* resumed after an inner stage waited: martian ran already */
        return GW_STAGE_NEXT;
    st = calloc(1, sizeof(*st));
    if (!st) {
        gw_perr_set(err, "out of memory");
        return GW_STAGE_FAIL;
    }
    call->state = st;
    gw_mart_req_init(&st->req, call->out);
    if (gw_mart_ref_request(&t->root, &st->req, &e) != 0 || !gw_mart_req_finish(&st->req, &e) ||
        !gw_outreq_fields_ok(call->out, &e)) {
        gw_perr_set(err, e.msg[0] ? e.msg : "martian: request modifier failed");
        return GW_STAGE_FAIL;
    }
    if (t->root.res && t->needs_request) {
        if (!gw_mart_req_snapshot(&st->req, &st->snap_o, &st->snap)) {
            gw_perr_set(err, "out of memory");
            return GW_STAGE_FAIL;
        }
        st->has_snap = true;
    }
    if (!st->req.skip)
        return GW_STAGE_NEXT;
    /* static.Modifier: no round trip; an empty 200 goes through the response side */
    *res = calloc(1, sizeof(**res));
    if (!*res) {
        gw_perr_set(err, "out of memory");
        return GW_STAGE_FAIL;
    }
    gw_hdrs_init(&(*res)->headers, GW_MAX_HEADERS);
    (*res)->status = 200;
    (*res)->url = strdup(call->out->url);
    respond(t, st, *res);
    return GW_STAGE_ANSWER;
}

static void mart_http_response(void *ctx, struct gw_stage_call *call, struct gw_fetch_result *res)
{
    const struct gw_mart_tree *t = ctx;

    if (res->error || !t->root.res)
        return; /* a transport error is returned before any response modifier */
    respond(t, call->state, res);
}

static void mart_end(void *ctx, struct gw_stage_call *call)
{
    (void)ctx;
    state_free(call->state);
    call->state = NULL;
}

static void mart_free(void *ctx)
{
    gw_mart_tree_free(ctx);
}

static bool mart_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                       const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    const json_t *ns = json_object_get(b->extra_config, GW_NS_MARTIAN);
    struct gw_mart_tree *t = NULL;
    char *dump;

    (void)ctx;
    (void)cfg;
    if (!ns)
        return true;
    switch (gw_mart_parse(ns, &t, err)) {
    case GW_MART_OK:
        break;
    case GW_MART_CONFIG:
        /* krakend-martian logs the error and builds the backend without martian */
        dump = cmn_json_dumps_compact(b->extra_config, true);
        cmn_log_error("[BACKEND: %s][Martian] %s: the backend runs without modifier/martian "
                      "(extra_config: %s)",
                      b->url_pattern, err->msg, dump ? dump : "?");
        free(dump);
        cmn_err_clear(err);
        return true;
    case GW_MART_REFUSED:
        cmn_err_prefix(err, "%s: backend %s: modifier/martian: ", ep->json_path, b->url_pattern);
        return false;
    default:
        return false;
    }
    if (!t->root.req && !t->root.res) { /* scope: [] attaches it nowhere */
        gw_mart_tree_free(t);
        return true;
    }
    *st = (struct gw_stage){"modifier/martian", t,    NULL,     mart_http_request,
                            mart_http_response, NULL, mart_end, mart_free};
    return true;
}

const struct gw_stage_factory gw_martian_factory = {"modifier/martian", NULL, mart_build};
