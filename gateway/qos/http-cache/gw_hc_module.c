/* gw_hc_module.c - qos/http-cache as the innermost qos backend stage (§1): http_request looks
 * the request up (a fresh hit answers, still inside the breaker and the backend limiter: they
 * counted it), http_response stores or refreshes what the backend said. */
#include "gw_hc_int.h"

#include "cmn_log.h"

#include <stdio.h>
#include <stdlib.h>

#define MS 1000000LL

struct hc_stage {
    struct gw_hc_store *store;
    const struct cmn_clock *clock; /* never NULL */
    struct gw_hc_env *env;         /* holds a registry reference */
};

static int64_t now_unix_ns(const struct hc_stage *s)
{
    return cmn_clock_now_unix_ms(s->clock) * MS;
}

static enum gw_stage_verdict hc_http_request(void *ctx, struct gw_stage_call *call,
                                             struct gw_fetch_result **res, struct gw_perr *err)
{
    const struct hc_stage *s = ctx;
    struct gw_hc_plan *plan = calloc(1, sizeof(*plan));
    struct cmn_err e = {0};

    (void)err;
    if (!plan)
        return GW_STAGE_NEXT; /* no memory for the cache: the backend answers */
    if (gw_hc_begin(s->store, call->out, now_unix_ns(s), plan, &e) != GW_HC_OK) {
        gw_hc_plan_free(plan);
        free(plan);
        return GW_STAGE_NEXT;
    }
    if (plan->action == GW_HC_SERVE) {
        *res = gw_hc_result_new(plan->entry, call->out->url);
        gw_hc_plan_free(plan);
        free(plan);
        return *res ? GW_STAGE_ANSWER : GW_STAGE_NEXT;
    }
    if ((plan->if_none_match &&
         !gw_hdrs_set(&call->out->headers, "If-None-Match", plan->if_none_match)) ||
        (plan->if_modified_since &&
         !gw_hdrs_set(&call->out->headers, "If-Modified-Since", plan->if_modified_since))) {
        gw_hc_plan_free(plan);
        free(plan);
        return GW_STAGE_NEXT;
    }
    call->state = plan;
    return GW_STAGE_NEXT;
}

static void hc_http_response(void *ctx, struct gw_stage_call *call, struct gw_fetch_result *res)
{
    const struct hc_stage *s = ctx;
    struct cmn_err e = {0};

    if (call->state) /* out of memory here only leaves the response as it came */
        (void)gw_hc_finish(s->store, call->state, res, now_unix_ns(s), &e);
}

static void hc_end(void *ctx, struct gw_stage_call *call)
{
    (void)ctx;
    gw_hc_plan_free(call->state);
    free(call->state);
    call->state = NULL;
}

static void registry_release(struct gw_hc_env *env)
{
    if (env->registry_refs && --env->registry_refs == 0) {
        gw_hc_registry_destroy(env->registry);
        env->registry = NULL;
    }
}

static void hc_free(void *ctx)
{
    struct hc_stage *s = ctx;

    if (!s)
        return;
    gw_hc_store_destroy(s->store);
    registry_release(s->env);
    free(s);
}

static struct gw_hc_registry *registry_acquire(struct gw_hc_env *env)
{
    struct gw_hc_registry_opts o = {env->default_max_bytes, env->default_max_items, {0, 0}};

    if (!env->registry) {
        if (!cmn_siphash_key_random(&o.key))
            return NULL;
        env->registry = gw_hc_registry_new(&o);
        if (!env->registry)
            return NULL;
    }
    env->registry_refs++;
    return env->registry;
}

/* KrakenD's process-wide LRU is sized by the first shared bounded backend in configuration
 * order: say so when b declares other sizes. Read from the configuration, so `check` (which
 * builds one backend at a time) warns as `run` does. */
static void warn_shared_sizes(const struct gw_config *cfg, const struct gw_backend *b,
                              const struct gw_hc_config *c, const char *path)
{
    if (!cfg || !c->shared || !c->max_size || !c->max_items || c->fallback)
        return;
    for (size_t e = 0; e < cfg->n_endpoints; e++) {
        for (size_t i = 0; i < cfg->endpoints[e].n_backends; i++) {
            const struct gw_backend *o = &cfg->endpoints[e].backends[i];
            const json_t *ns = o->extra_config ? json_object_get(o->extra_config, GW_HC_NS) : NULL;
            struct gw_hc_config oc;

            if (o == b)
                return;
            if (!ns || gw_hc_config_parse(ns, "", &oc, NULL, NULL) != GW_HC_OK || !oc.shared ||
                !oc.max_size || !oc.max_items || oc.fallback)
                continue;
            if (oc.max_size != c->max_size || oc.max_items != c->max_items)
                cmn_log_warn("%s: the shared cache was sized by %s (max_size %llu, max_items "
                             "%llu); these sizes are ignored, as in KrakenD",
                             path, o->json_path, (unsigned long long)oc.max_size,
                             (unsigned long long)oc.max_items);
            return;
        }
    }
}

static void log_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

bool gw_hc_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                 const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    struct gw_hc_env *env = ctx;
    const json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_HC_NS) : NULL;
    const struct cmn_warn warn = {log_warning, NULL};
    struct gw_hc_config c;
    struct hc_stage *s;
    char path[512];

    (void)ep;
    if (!ns)
        return true;
    snprintf(path, sizeof(path), "%s.extra_config.%s", b->json_path, GW_HC_NS_ALIAS);
    if (gw_hc_config_parse(ns, path, &c, &warn, err) != GW_HC_OK)
        return false;
    warn_shared_sizes(cfg, b, &c, path);
    s = calloc(1, sizeof(*s));
    if (!s)
        return cmn_err_set(err, GW_HC_NOMEM, "%s: out of memory", path), false;
    s->clock = cmn_clock_or_system(env->clock);
    s->env = env;
    if (!registry_acquire(env)) {
        free(s);
        return cmn_err_set(err, GW_HC_NOMEM, "%s: out of memory", path), false;
    }
    s->store = gw_hc_registry_select(env->registry, &c);
    if (!s->store) {
        hc_free(s);
        return cmn_err_set(err, GW_HC_NOMEM, "%s: out of memory", path), false;
    }
    *st = (struct gw_stage){GW_HC_NS_ALIAS,   s,    NULL,   hc_http_request,
                            hc_http_response, NULL, hc_end, hc_free};
    return true;
}

static struct gw_hc_env g_env = {NULL, 0, 0, NULL, 0};

const struct gw_stage_factory gw_hc_factory = {GW_HC_NS_ALIAS, &g_env, gw_hc_build};
