/* gw_rl_module.c - qos/ratelimit on the seams: the router limiter as a GW_MW_AUTHENTICATED
 * middleware (after auth/validator, client limit then endpoint limit, §1 and §5.7) and the
 * backend limiter as a `before` stage inside the circuit breaker (§5.7: its rejection is a
 * backend error, which the breaker counts). */
#include "gw_rl_int.h"

#include "cmn_log.h"
#include "cmn_rand.h"
#include "cmn_str.h"

#include <stdio.h>
#include <stdlib.h>

#define MS 1000000LL

static void log_warning(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

static const struct cmn_warn LOG_WARN = {log_warning, NULL};

static int64_t startup_ns(const struct gw_rl_env *env)
{
    return cmn_clock_now_mono_ms(cmn_clock_or_system(env->clock)) * MS;
}

/* ---- the shared client store ---- */

static struct gw_rl_store *store_acquire(struct gw_rl_env *env, struct cmn_err *err)
{
    struct gw_rl_store_opts o = {env->store_bytes, {0, 0}};

    if (!env->store) {
        if (!cmn_siphash_key_random(&o.key)) {
            cmn_err_set(err, GW_RL_NOMEM, "rate limit client store: no random key");
            return NULL;
        }
        env->store = gw_rl_store_new(&o, err);
        if (!env->store)
            return NULL;
    }
    env->store_refs++;
    return env->store;
}

static void store_release(struct gw_rl_env *env)
{
    if (env->store_refs && --env->store_refs == 0) {
        gw_rl_store_destroy(env->store);
        env->store = NULL;
    }
}

/* ---- qos/ratelimit/router ---- */

struct router_mw {
    struct gw_rl_router *r;
    struct gw_rl_env *env; /* holds a store reference when the endpoint has a client limit */
    bool has_store;
};

static enum gw_mw_verdict router_request(void *ctx, const struct gw_mw_request *rq,
                                         struct gw_mw_out *out)
{
    const struct router_mw *m = ctx;
    enum gw_rl_decision d = gw_rl_router_check(m->r, rq->in, rq->client_ip, rq->now_ms * MS);

    if (d == GW_RL_PASS)
        return GW_MW_NEXT;
    /* c.AbortWithError: the status alone, empty body, no X-Krakend (the endpoint handler never
     * ran); headers CORS or security/http added stay */
    *out->answer = cmn_http_response_new(d == GW_RL_CLIENT_LIMITED ? 429 : 503);
    return GW_MW_ANSWER;
}

static void router_free(void *ctx)
{
    struct router_mw *m = ctx;

    if (!m)
        return;
    gw_rl_router_destroy(m->r);
    if (m->has_store)
        store_release(m->env);
    free(m);
}

/* A random draw in [0, 1) for the idle TTL's jitter (KrakenD: rand.Float64 once per endpoint). */
static double jitter(void)
{
    uint64_t x = 0;

    if (!cmn_rand_bytes(&x, sizeof(x)))
        return 0;
    return (double)(x >> 11) / 9007199254740992.0;
}

bool gw_rl_router_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        struct gw_mw *mw, struct cmn_err *err)
{
    struct gw_rl_env *env = ctx;
    const json_t *ns =
        ep && ep->extra_config ? json_object_get(ep->extra_config, GW_RL_ROUTER_NS) : NULL;
    struct gw_rl_router_config c;
    struct router_mw *m = NULL;
    enum gw_rl_status st;
    char path[512];
    bool ok = false;

    (void)cfg;
    if (!ns) /* CE reads it per endpoint only; the config layer warns at other levels */
        return true;
    if (gw_endpoint_has_signer(ep)) { /* TokenSigner replaces the handler the limiter wraps */
        cmn_log_warn("[ENDPOINT: %s][Ratelimit] qos/ratelimit/router is ignored: auth/signer "
                     "replaces the endpoint's handler, as in KrakenD",
                     ep->path);
        return true;
    }
    snprintf(path, sizeof(path), "%s.extra_config.%s", ep->json_path, GW_RL_ROUTER_NS);
    st = gw_rl_router_config_parse(ns, path, &c, &LOG_WARN, err);
    if (st == GW_RL_INVALID || st == GW_RL_NOMEM)
        return false;
    gw_rl_router_log_startup(st, &c, ep->path);
    if (!c.endpoint_on && !c.client_on) {
        gw_rl_router_config_free(&c);
        return true;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        cmn_err_set(err, GW_RL_NOMEM, "%s: out of memory", path);
        goto out;
    }
    m->env = env;
    if (c.client_on) {
        if (!store_acquire(env, err))
            goto out;
        m->has_store = true;
    }
    m->r = gw_rl_router_new(&c, m->has_store ? env->store : NULL, c.ttl_jitter ? jitter() : 0,
                            startup_ns(env), err);
    if (!m->r)
        goto out;
    *mw = (struct gw_mw){.name = GW_RL_ROUTER_NS,
                         .slot = GW_MW_AUTHENTICATED,
                         .ctx = m,
                         .request = router_request,
                         .free = router_free};
    m = NULL;
    ok = true;
out:
    router_free(m);
    gw_rl_router_config_free(&c);
    return ok;
}

/* ---- qos/ratelimit/proxy ---- */

static enum gw_stage_verdict proxy_before(void *ctx, struct gw_stage_call *call,
                                          struct gw_perr *err)
{
    if (gw_rl_limiter_allow(ctx, call->now_ms * MS))
        return GW_STAGE_NEXT;
    gw_perr_set(err, GW_RL_ERROR_TEXT); /* no network call, no cache lookup */
    return GW_STAGE_FAIL;
}

static void proxy_free(void *ctx)
{
    gw_rl_limiter_destroy(ctx);
}

bool gw_rl_proxy_build(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                       const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    struct gw_rl_env *env = ctx;
    const json_t *ns = b->extra_config ? json_object_get(b->extra_config, GW_RL_PROXY_NS) : NULL;
    struct gw_rl_proxy_config c;
    struct gw_rl_limiter *l;
    enum gw_rl_status s;
    char path[512];

    (void)cfg;
    (void)ep;
    if (!ns)
        return true;
    snprintf(path, sizeof(path), "%s.extra_config.%s", b->json_path, GW_RL_PROXY_NS);
    s = gw_rl_proxy_config_parse(ns, path, &c, &LOG_WARN, err);
    if (s == GW_RL_INVALID || s == GW_RL_NOMEM)
        return false;
    gw_rl_proxy_log_startup(s, &c, b->url_pattern);
    if (!c.on)
        return true;
    l = gw_rl_limiter_new(&c.bucket, startup_ns(env));
    if (!l)
        return cmn_err_set(err, GW_RL_NOMEM, "%s: out of memory", path), false;
    *st = (struct gw_stage){GW_RL_PROXY_NS, l, proxy_before, NULL, NULL, NULL, NULL, proxy_free};
    return true;
}

static struct gw_rl_env g_env = GW_RL_ENV_INIT;

const struct gw_mw_factory gw_rl_router_factory = {GW_RL_ROUTER_NS, &g_env, gw_rl_router_build};
const struct gw_stage_factory gw_rl_proxy_factory = {GW_RL_PROXY_NS, &g_env, gw_rl_proxy_build};
