/* gw_validator.c - auth/validator on the request path: token extraction, validation against the
 * shared JWKS registry, claim propagation, and parking of requests whose key is being fetched. */
#include "gw_validator.h"

#include "cmn_clock.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_claims.h"
#include "gw_jwks_cache.h"
#include "gw_jwt.h"
#include "gw_jwt_cache.h"
#include "gw_validator_config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Verified tokens kept (a 2,048-entry working set costs well under 1 MB). */
#define TOKEN_CACHE_ENTRIES 16384
#define TOKEN_CACHE_MAX_TTL_S 3600
/* Requests waiting for a key set fetch: at most this many. One with an unknown kid waits for
 * the refetch at most PARK_MAX_MS; one that came before the first set was ever fetched (a
 * gateway just started) waits for that fetch, as KrakenD's requests do, up to the fetch
 * timeout. At shutdown every parked request is run again at once (see stop()). */
#define MAX_PARKED 8192
#define PARK_MAX_MS 1500
#define PARK_POLL_MS 10

struct ep_state {
    struct gw_validator *v;
    const struct gw_endpoint *ep;
    struct gw_validator_config *vc;
    struct gw_jwks_source *src; /* NULL when errored */
    struct gw_jwt_rejecter own; /* the endpoint's rejecter (validation/cel); rejected NULL = none */
    struct gw_jwt_rejecter chain; /* what the claim checks call: the global one, then own */
};

struct parked {
    struct parked *next;
    struct ep_state *st;
    struct gw_auth_call *call;
    uint64_t seen;       /* the source's fetch count when the key was found missing */
    int64_t deadline_ms; /* the validator's monotonic clock */
};

struct gw_validator {
    const struct gw_config *cfg;
    const struct cmn_clock *clock; /* never NULL */
    struct gw_auth_provider provider;
    struct gw_jwks_cache *jwks;
    struct gw_jwt_cache *tokens;
    pthread_mutex_t mu; /* guards the parking lot */
    pthread_cond_t cv;
    pthread_t thread;
    bool running;
    bool stopping;
    bool releasing; /* the server is stopping: nothing is parked any more */
    struct parked *parked;
    unsigned n_parked;
    struct gw_jwt_rejecter rejecter;                 /* auth/revoker; rejected NULL = none */
    struct gw_jwt_rejecter_factory rejecter_factory; /* make NULL = none */
};

static void run(struct ep_state *st, struct gw_auth_call *call, bool may_park);

/* krakend-jose's chained rejecter: the global one first, then the endpoint's own. */
static bool chain_rejected(void *ctx, const json_t *claims)
{
    const struct ep_state *st = ctx;
    const struct gw_jwt_rejecter *g = &st->v->rejecter;

    return (g->rejected && g->rejected(g->ctx, claims)) || st->own.rejected(st->own.ctx, claims);
}

/* The rejecter the claim checks of st's endpoint call. */
static const struct gw_jwt_rejecter *rejecter_of(const struct ep_state *st)
{
    return st->own.rejected ? &st->chain : &st->v->rejecter;
}

/* ---- request path -------------------------------------------------------------------------- */

static void set_header(void *ctx, const char *header, const char *const *values, size_t n)
{
    struct gw_auth_call *call = ctx;

    /* KrakenD replaces whatever the client sent: a missing claim still overwrites with "". */
    gw_auth_call_set_header(call, header, n ? values[0] : "");
    for (size_t i = 1; i < n; i++)
        gw_auth_call_add_header(call, header, values[i]);
}

static const char *claim_text(void *ctx, const char *name, char *buf, size_t size)
{
    char *t = gw_claims_url_param(ctx, name);

    if (!t)
        return NULL;
    cmn_strlcpy(buf, t, size);
    free(t);
    return buf;
}

static void claims_free(void *ctx)
{
    gw_claims_unref(ctx);
}

static void reject(struct ep_state *st, struct gw_auth_call *call, enum gw_jwt_result r,
                   const struct cmn_err *err)
{
    if (st->vc->operation_debug) {
        char text[CMN_ERR_MSG_MAX + 128];
        cmn_log_error("[ENDPOINT: %s][JWTValidator] %s", st->ep->path,
                      gw_jwt_log_text(r, err, text, sizeof(text)));
    }
    gw_auth_call_reject(call, (unsigned)gw_jwt_result_status(r));
}

/* Parks a call until the refetch its unknown kid asked for has finished. False when no fetch
 * is coming (cooldown), the lot is full, or the validator is not running. seen: the fetch
 * count the call's key set came with. */
static bool park(struct ep_state *st, struct gw_auth_call *call, uint64_t seen, int64_t wait_ms)
{
    struct gw_validator *v = st->v;
    struct parked *p;
    bool coming = false;

    /* A fetch may have started and finished since the call looked (the miss woke the fetcher,
     * and a local JWKS comes back in well under a millisecond): no fetch is coming then, but
     * the set is new. Parked, the call is run again at once with it. */
    if (gw_jwks_source_progress(st->src, &coming) == seen && !coming)
        return false;
    p = calloc(1, sizeof(*p));
    if (!p)
        return false;
    p->st = st;
    p->call = call;
    p->seen = seen;
    p->deadline_ms = cmn_clock_now_mono_ms(v->clock) + wait_ms;
    pthread_mutex_lock(&v->mu);
    if (!v->running || v->stopping || v->releasing || v->n_parked >= MAX_PARKED) {
        pthread_mutex_unlock(&v->mu);
        free(p);
        return false;
    }
    p->next = v->parked;
    v->parked = p;
    v->n_parked++;
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
    return true;
}

static void run(struct ep_state *st, struct gw_auth_call *call, bool may_park)
{
    const struct gw_validator_config *vc = st->vc;
    const struct cmn_http_request *req = gw_auth_call_request(call);
    struct cmn_err err = {0};
    struct gw_claims *claims = NULL;
    struct gw_jwks *set = NULL;
    const char *tok = NULL;
    size_t len = 0;
    enum gw_jwt_result r;
    uint64_t seen;
    bool coming;

    if (!st->src) {
        cmn_err_set(&err, 1, "%s", vc->error ? vc->error : "validator not configured");
        reject(st, call, GW_JWT_CONFIG_ERRORED, &err);
        return;
    }
    r = gw_jwt_extract(vc, cmn_http_request_header(req, vc->auth_header_name),
                       cmn_http_request_header(req, "Cookie"), &tok, &len);
    if (r != GW_JWT_OK) {
        cmn_err_set(&err, 1, "Token not found");
        reject(st, call, r, &err);
        return;
    }
    /* Read the fetch count before the set, so a refetch finishing in between is not missed. */
    seen = gw_jwks_source_progress(st->src, &coming);
    bool have_set = gw_jwks_source_current(st->src, &set) == GW_JWKS_OK;
    if (!have_set)
        set = NULL;
    r = gw_jwt_validate_cached(vc, st->v->tokens, tok, len, set,
                               cmn_clock_now_unix_ms(st->v->clock) / 1000, rejecter_of(st), &claims,
                               &err);
    gw_jwks_unref(set);
    if (gw_jwt_result_wants_refetch(r)) {
        gw_jwks_source_report_miss(st->src);
        if (may_park && park(st, call, seen, PARK_MAX_MS))
            return;
    }
    /* No set was ever fetched and the first fetch is under way: wait for it, as KrakenD's
     * request waits for the download it started (a restart must not refuse valid users). */
    if (r == GW_JWT_NO_KEYS && !have_set && seen == 0 && coming && may_park &&
        park(st, call, seen, gw_jwks_cache_timeout_ms(st->v->jwks) + PARK_POLL_MS))
        return;
    if (r != GW_JWT_OK) {
        reject(st, call, r, &err);
        return;
    }
    if (vc->n_propagate_claims && !gw_claims_propagate(claims, vc, set_header, call)) {
        gw_claims_unref(claims);
        gw_auth_call_reject(call, 500);
        return;
    }
    gw_auth_call_accept(call, claims, claim_text, claims_free);
}

static void check(void *ctx, void *ep_state, struct gw_auth_call *call)
{
    (void)ctx;
    run(ep_state, call, true);
}

/* The server is stopping: parked calls are run again now (with the keys there are) instead of
 * at their deadlines, and none is parked from here on. */
static void stop(void *ctx)
{
    struct gw_validator *v = ctx;

    pthread_mutex_lock(&v->mu);
    v->releasing = true;
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
}

/* The parking thread: re-runs a parked call once its source finished a fetch, or when the
 * fetch it waited for is no longer coming, or at its deadline (then it is refused). */
static void *parking_main(void *arg)
{
    struct gw_validator *v = arg;

    pthread_mutex_lock(&v->mu);
    while (!v->stopping) {
        struct parked *ready = NULL;
        struct parked **pp = &v->parked;
        int64_t now = cmn_clock_now_mono_ms(v->clock);

        while (*pp) {
            struct parked *p = *pp;
            bool coming = false;
            uint64_t n = gw_jwks_source_progress(p->st->src, &coming);
            if (n != p->seen || !coming || now >= p->deadline_ms || v->releasing) {
                *pp = p->next;
                v->n_parked--;
                p->next = ready;
                ready = p;
            } else {
                pp = &p->next;
            }
        }
        pthread_mutex_unlock(&v->mu);
        while (ready) {
            struct parked *p = ready;
            ready = p->next;
            run(p->st, p->call, false);
            free(p);
        }
        pthread_mutex_lock(&v->mu);
        /* Real time only paces the polling; deadlines are in the validator's clock. */
        if (!v->stopping)
            cmn_clock_cond_wait_ms(&v->cv, &v->mu, v->parked ? PARK_POLL_MS : 1000);
    }
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

/* ---- start-up -------------------------------------------------------------------------------- */

static void log_enabled(const struct ep_state *st)
{
    const struct gw_validator_config *vc = st->vc;
    const char *path = st->ep->path;

    if (vc->roles.n)
        cmn_log_debug("[ENDPOINT: %s][JWTValidator] Roles will be matched against the key: '%s'",
                      path, vc->roles_key);
    if (!vc->scopes.n || !vc->scopes_key)
        cmn_log_debug("[ENDPOINT: %s][JWTValidator] No scope validation required", path);
    cmn_log_debug("[ENDPOINT: %s][JWTValidator] Validator enabled for this endpoint", path);
}

/* Registers the endpoint's key source. False (with err) only for what stops KrakenD. */
static bool add_source(struct ep_state *st, struct cmn_err *err)
{
    const struct gw_validator_config *vc = st->vc;
    struct gw_jwks_source_opts o = {
        .jwk_url = vc->jwk_url,
        .jwk_local_path = vc->jwk_local_path,
        .disable_jwk_security = vc->disable_jwk_security,
        .jwk_fingerprints = (const char *const *)vc->jwk_fingerprints.items,
        .n_fingerprints = vc->jwk_fingerprints.n,
        .jwk_local_ca = vc->jwk_local_ca,
        .cipher_suites = vc->cipher_suites,
        .n_cipher_suites = vc->n_cipher_suites,
        .cache = vc->cache,
        .cache_duration_s = vc->cache_duration_s,
        .failed_jwk_key_cooldown_ms = vc->failed_jwk_key_cooldown_ms,
    };
    struct cmn_err e = {0};
    char why[256];

    st->src = gw_jwks_cache_add(st->v->jwks, &o, &e);
    if (!st->src) {
        if (e.code == GW_JWKS_CACHE_BAD_TLS || e.code == GW_JWKS_CACHE_NOMEM ||
            e.code == GW_JWKS_CACHE_TOO_MANY || e.code == GW_JWKS_CACHE_STARTED) {
            cmn_err_set(err, 1, "[ENDPOINT: %s][JWTValidator] %s", st->ep->path, e.msg);
            return false;
        }
        /* KrakenD's erroredHandler: the endpoint answers 401 to everything. */
        cmn_log_warn("[ENDPOINT: %s][JWTValidator] Unable to parse the configuration: %s",
                     st->ep->path, e.msg);
        return true;
    }
    /* An unreadable jwk_local_path stops KrakenD (logger.Fatal). */
    if (vc->jwk_local_path && gw_jwks_source_last_error(st->src, why, sizeof(why))) {
        cmn_err_set(err, 1, "[ENDPOINT: %s][JWTValidator] jwk_local_path '%s': %s", st->ep->path,
                    vc->jwk_local_path, why);
        return false;
    }
    return true;
}

static bool endpoint_init(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                          void **ep_state, struct cmn_err *err)
{
    struct gw_validator *v = ctx;
    json_t *ns =
        ep->extra_config ? json_object_get(ep->extra_config, GW_VALIDATOR_NAMESPACE) : NULL;
    struct ep_state *st;
    char where[512];

    (void)cfg;
    *ep_state = NULL;
    if (!ns) {
        cmn_log_info("[ENDPOINT: %s][JWTValidator] Validator disabled for this endpoint", ep->path);
        return true;
    }
    st = calloc(1, sizeof(*st));
    if (!st)
        return cmn_err_set(err, 1, "out of memory"), false;
    st->v = v;
    st->ep = ep;
    snprintf(where, sizeof(where), "%s.extra_config.auth/validator", ep->json_path);
    if (gw_validator_config_parse(ns, where, &st->vc, err) != GW_VC_OK) {
        free(st);
        return false;
    }
    *ep_state = st;
    if (st->vc->errored) {
        cmn_log_warn("[ENDPOINT: %s][JWTValidator] Unable to parse the configuration: %s", ep->path,
                     st->vc->error);
        return true;
    }
    if (!add_source(st, err))
        return false;
    if (v->rejecter_factory.make &&
        !v->rejecter_factory.make(v->rejecter_factory.ctx, ep, &st->own, err))
        return false;
    st->chain = (struct gw_jwt_rejecter){chain_rejected, st};
    log_enabled(st);
    return true;
}

static void endpoint_free(void *ctx, void *ep_state)
{
    struct gw_validator *v = ctx;
    struct ep_state *st = ep_state;

    if (!st)
        return;
    if (st->own.rejected && v->rejecter_factory.release)
        v->rejecter_factory.release(st->own.ctx);
    gw_validator_config_destroy(st->vc);
    free(st);
}

struct gw_validator *gw_validator_new(const struct gw_config *cfg, const struct cmn_clock *clock,
                                      struct cmn_err *err)
{
    struct gw_validator *v = calloc(1, sizeof(*v));
    struct gw_jwks_cache_opts jo = {.clock = cmn_clock_or_system(clock)};

    if (!v) {
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    v->cfg = cfg;
    v->clock = jo.clock;
    v->provider = (struct gw_auth_provider){.ctx = v,
                                            .endpoint_init = endpoint_init,
                                            .endpoint_free = endpoint_free,
                                            .check = check,
                                            .stop = stop};
    pthread_mutex_init(&v->mu, NULL);
    cmn_clock_cond_init(&v->cv);
    v->jwks = gw_jwks_cache_new(&jo, err);
    v->tokens = gw_jwt_cache_new(TOKEN_CACHE_ENTRIES, TOKEN_CACHE_MAX_TTL_S);
    if (!v->jwks || !v->tokens) {
        if (v->jwks && !v->tokens)
            cmn_err_set(err, 1, "out of memory");
        gw_validator_destroy(v);
        return NULL;
    }
    return v;
}

void gw_validator_set_rejecter(struct gw_validator *v, const struct gw_jwt_rejecter *rej)
{
    v->rejecter = rej ? *rej : (struct gw_jwt_rejecter){NULL, NULL};
}

void gw_validator_set_rejecter_factory(struct gw_validator *v,
                                       const struct gw_jwt_rejecter_factory *f)
{
    v->rejecter_factory = f ? *f : (struct gw_jwt_rejecter_factory){0};
}

const struct gw_auth_provider *gw_validator_provider(struct gw_validator *v)
{
    return &v->provider;
}

bool gw_validator_start(struct gw_validator *v, struct cmn_err *err)
{
    if (gw_jwks_cache_start(v->jwks, err) != GW_JWKS_CACHE_OK)
        return false;
    if (pthread_create(&v->thread, NULL, parking_main, v) != 0)
        return cmn_err_set(err, 1, "cannot start the validator thread: %s", strerror(errno)), false;
    pthread_mutex_lock(&v->mu);
    v->running = true;
    pthread_mutex_unlock(&v->mu);
    return true;
}

void gw_validator_destroy(struct gw_validator *v)
{
    bool joined;

    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    joined = v->running;
    v->stopping = true;
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
    if (joined)
        pthread_join(v->thread, NULL);
    /* The server has stopped: nobody is parked any more (each waits at most PARK_MAX_MS and
     * the server waits for in-flight calls), but refuse any straggler rather than leak it. */
    while (v->parked) {
        struct parked *p = v->parked;
        v->parked = p->next;
        gw_auth_call_reject(p->call, 401);
        free(p);
    }
    gw_jwks_cache_destroy(v->jwks);
    gw_jwt_cache_destroy(v->tokens);
    pthread_cond_destroy(&v->cv);
    pthread_mutex_destroy(&v->mu);
    free(v);
}

bool gw_validator_check_config(const struct gw_config *cfg,
                               void (*warn)(void *ctx, const char *msg), void *ctx,
                               struct cmn_err *err)
{
    char msg[CMN_ERR_MSG_MAX + 256];

    for (size_t i = 0; i < cfg->n_endpoints; i++) {
        const struct gw_endpoint *ep = &cfg->endpoints[i];
        json_t *ns =
            ep->extra_config ? json_object_get(ep->extra_config, GW_VALIDATOR_NAMESPACE) : NULL;
        struct gw_validator_config *vc = NULL;
        char where[512];

        if (!ns)
            continue;
        snprintf(where, sizeof(where), "%s.extra_config.auth/validator", ep->json_path);
        if (gw_validator_config_parse(ns, where, &vc, err) != GW_VC_OK)
            return false;
        if (vc->errored) {
            snprintf(msg, sizeof(msg),
                     "%s: %s: the endpoint %s %s will answer 401 to every request", where,
                     vc->error, ep->method, ep->path);
            warn(ctx, msg);
        }
        for (size_t w = 0; w < vc->warnings.n; w++) {
            snprintf(msg, sizeof(msg), "%s: %s", where, vc->warnings.items[w]);
            warn(ctx, msg);
        }
        gw_validator_config_destroy(vc);
    }
    return true;
}
