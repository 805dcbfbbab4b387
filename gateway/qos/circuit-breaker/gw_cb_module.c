/* gw_cb_module.c - qos/circuit-breaker as the outermost qos backend stage (§1, §6): `before`
 * asks the breaker, `after` tells it how the call ended, `end` frees the trial slot of a call
 * that was cancelled before it ended. */
#include "gw_circuitbreaker.h"

#include "cmn_log.h"

#include <stdio.h>
#include <stdlib.h>

#define MS 1000000LL

struct cb_stage {
    struct gw_cb *cb;
    const struct cmn_clock *clock; /* never NULL */
};

/* call->state while a call is admitted and its outcome not told: the ticket's generation,
 * shifted to leave the low bit set (never NULL) */
static void *ticket_state(const struct gw_cb_ticket *t)
{
    return (void *)(uintptr_t)((t->generation << 1) | 1);
}

static struct gw_cb_ticket ticket_of(const void *state)
{
    struct gw_cb_ticket t = {(uint64_t)(uintptr_t)state >> 1};

    return t;
}

static enum gw_stage_verdict cb_before(void *ctx, struct gw_stage_call *call, struct gw_perr *err)
{
    const struct cb_stage *s = ctx;
    struct gw_cb_ticket t;
    enum gw_cb_admit a = gw_cb_before(s->cb, call->now_ms * MS, &t);

    if (a != GW_CB_ADMIT) {
        gw_perr_set(err, gw_cb_admit_error(a)); /* the backend is not called */
        return GW_STAGE_FAIL;
    }
    call->state = ticket_state(&t);
    return GW_STAGE_NEXT;
}

/* gobreaker's afterRequest: any error of the inner pipe is a failure. The pipe already made
 * its status decisions (only 200/201 succeed unless no-op or return_error_details). */
static void cb_after(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                     struct gw_perr *err, bool *has_err)
{
    const struct cb_stage *s = ctx;
    struct gw_cb_ticket t;

    (void)resp;
    (void)err;
    if (!call->state)
        return;
    t = ticket_of(call->state);
    call->state = NULL;
    gw_cb_after(s->cb, &t, *has_err ? GW_CB_FAILURE : GW_CB_SUCCESS,
                cmn_clock_now_mono_ms(s->clock) * MS);
}

/* Cancelled before `after` (context.Canceled in Go): excluded, neither success nor failure. */
static void cb_end(void *ctx, struct gw_stage_call *call)
{
    const struct cb_stage *s = ctx;
    struct gw_cb_ticket t;

    if (!call->state)
        return;
    t = ticket_of(call->state);
    call->state = NULL;
    gw_cb_after(s->cb, &t, GW_CB_EXCLUDED, cmn_clock_now_mono_ms(s->clock) * MS);
}

static void cb_free(void *ctx)
{
    struct cb_stage *s = ctx;

    if (!s)
        return;
    gw_cb_destroy(s->cb);
    free(s);
}

static void log_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

bool gw_cb_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                 const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    const struct gw_cb_env *env = ctx;
    const json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_CB_NS) : NULL;
    const struct cmn_warn warn = {log_warning, NULL};
    struct gw_cb_config c;
    struct cb_stage *s;
    char path[512];

    (void)cfg;
    (void)ep;
    if (!ns)
        return true;
    snprintf(path, sizeof(path), "%s.extra_config.%s", b->json_path, GW_CB_NS_ALIAS);
    if (gw_cb_config_parse(ns, path, &c, &warn, err) == GW_CB_CFG_NOMEM)
        return false;
    gw_cb_log_startup(&c, b->url_pattern);
    if (!c.on) {
        gw_cb_config_free(&c);
        return true;
    }
    s = calloc(1, sizeof(*s));
    if (s) {
        s->clock = cmn_clock_or_system(env ? env->clock : NULL);
        s->cb = gw_cb_new(&c, cmn_clock_now_mono_ms(s->clock) * MS);
    }
    gw_cb_config_free(&c);
    if (!s || !s->cb) {
        free(s);
        return cmn_err_set(err, 1, "%s: out of memory", path), false;
    }
    *st = (struct gw_stage){GW_CB_NS_ALIAS, s, cb_before, NULL, NULL, cb_after, cb_end, cb_free};
    return true;
}

static struct gw_cb_env g_env = {NULL};

const struct gw_stage_factory gw_cb_factory = {GW_CB_NS_ALIAS, &g_env, gw_cb_build};
