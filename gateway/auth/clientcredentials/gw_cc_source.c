/* gw_cc_source.c - the token source of one backend: cache, single flight, style probe, and the
 * thread that runs the token requests and keeps the waiting calls' deadlines. */
#include "gw_cc_source.h"

#include "cmn_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MAX_MS 1000 /* the thread reads the clock at least this often */
#define DEADLINE_MSG "context deadline exceeded"
#define STOPPING_MSG "the gateway is stopping"

struct gw_cc_source {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* the thread's wake-up; kick and destroy wait on it too */
    struct gw_cc_config cfg;
    struct gw_cc_transport t;
    const struct cmn_clock *clock;
    enum gw_cc_style style; /* known once a probe succeeded */
    struct gw_cc_token token;
    char *value; /* Authorization for token, NULL before the first one */
    struct gw_cc_waiter *waiters;
    bool want_fetch, fetching, running, stopping;
    uint64_t kicks, passes;
    struct gw_cc_stats stats;
};

/* ---- waiters (mu held) ---------------------------------------------------------------------- */

static void push(struct gw_cc_source *s, struct gw_cc_waiter *w)
{
    struct gw_cc_waiter **p = &s->waiters;

    while (*p)
        p = &(*p)->next;
    w->next = NULL;
    *p = w;
}

static struct gw_cc_waiter *take_all(struct gw_cc_source *s)
{
    struct gw_cc_waiter *w = s->waiters;

    s->waiters = NULL;
    return w;
}

static struct gw_cc_waiter *take_expired(struct gw_cc_source *s, int64_t now)
{
    struct gw_cc_waiter *out = NULL, **tail = &out, **p = &s->waiters;

    while (*p) {
        struct gw_cc_waiter *w = *p;
        if (w->deadline_ms > now) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        w->next = NULL;
        *tail = w;
        tail = &w->next;
    }
    return out;
}

/* Real milliseconds the thread may sleep: to the next deadline, at most POLL_MAX_MS. */
static int64_t sleep_ms(const struct gw_cc_source *s, int64_t now)
{
    int64_t ms = POLL_MAX_MS;

    for (const struct gw_cc_waiter *w = s->waiters; w; w = w->next) {
        if (w->deadline_ms - now < ms)
            ms = w->deadline_ms - now;
    }
    return ms < 0 ? 0 : ms;
}

/* Without mu: each waiter hears once. */
static void finish_all(struct gw_cc_waiter *w, const char *value, const char *error)
{
    while (w) {
        struct gw_cc_waiter *next = w->next;
        w->next = NULL;
        w->done(w, value, error);
        w = next;
    }
}

/* mu held: a pass over the clock is done (gw_cc_source_kick waits for it). */
static void pass_done(struct gw_cc_source *s, uint64_t seen)
{
    if (seen > s->passes) {
        s->passes = seen;
        pthread_cond_broadcast(&s->cv);
    }
}

/* ---- the token requests (on the thread, mu not held) ---------------------------------------- */

/* One token request in style; false with err set. Deadlines of waiters are kept meanwhile. */
static bool exchange(struct gw_cc_source *s, enum gw_cc_style style, struct gw_cc_token *tok,
                     struct cmn_err *err)
{
    char *body = NULL, *basic = NULL;
    struct gw_cc_http_res res;
    void *h;
    bool ok;

    if (!gw_cc_token_request(&s->cfg, style, &body, &basic, err))
        return false;
    pthread_mutex_lock(&s->mu);
    s->stats.fetches++;
    pthread_mutex_unlock(&s->mu);
    h = s->t.start(s->t.ctx, &(struct gw_cc_http_req){s->cfg.token_url, body, strlen(body), basic},
                   err);
    free(body);
    free(basic);
    if (!h)
        return false;
    for (;;) {
        struct gw_cc_waiter *expired;
        uint64_t kicks;
        bool stop;
        int64_t now, ms;
        pthread_mutex_lock(&s->mu);
        kicks = s->kicks;
        now = cmn_clock_now_mono_ms(s->clock);
        expired = take_expired(s, now);
        stop = s->stopping;
        ms = sleep_ms(s, now);
        pass_done(s, kicks);
        pthread_mutex_unlock(&s->mu);
        finish_all(expired, NULL, DEADLINE_MSG);
        if (stop) {
            s->t.finish(s->t.ctx, h);
            return cmn_err_set(err, 1, STOPPING_MSG), false;
        }
        if (s->t.wait(s->t.ctx, h, ms, &res))
            break;
    }
    ok = gw_cc_token_parse(&res, cmn_clock_now_unix_ms(s->clock), tok, err);
    s->t.finish(s->t.ctx, h);
    return ok;
}

/* oauth2's RetrieveToken: the remembered style, or HTTP Basic then (on any failure) the form;
 * every call waiting now gets this token (valid or not) or this error. */
static void fetch(struct gw_cc_source *s)
{
    struct gw_cc_token tok = {0};
    struct cmn_err err = {0};
    struct gw_cc_waiter *all;
    enum gw_cc_style style, used;
    char *value = NULL;
    bool ok;

    pthread_mutex_lock(&s->mu);
    style = s->style;
    pthread_mutex_unlock(&s->mu);
    used = style == GW_CC_STYLE_UNKNOWN ? GW_CC_STYLE_HEADER : style;
    ok = exchange(s, used, &tok, &err);
    if (!ok && style == GW_CC_STYLE_UNKNOWN && strcmp(err.msg, STOPPING_MSG) != 0) {
        gw_cc_token_free(&tok);
        cmn_err_clear(&err);
        used = GW_CC_STYLE_PARAMS;
        ok = exchange(s, used, &tok, &err);
    }
    if (ok && !(value = gw_cc_auth_value(&tok))) {
        ok = false;
        cmn_err_set(&err, 1, "out of memory");
    }
    pthread_mutex_lock(&s->mu);
    if (ok) {
        if (style == GW_CC_STYLE_UNKNOWN)
            s->style = used;
        gw_cc_token_free(&s->token);
        s->token = tok;
        memset(&tok, 0, sizeof(tok));
        free(s->value);
        s->value = strdup(value);
    } else {
        s->stats.failures++;
    }
    all = take_all(s);
    s->fetching = false; /* a call that comes now asks for a fetch of its own */
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        cmn_log_error("[BACKEND][OAuth2] %s: cannot get a token: %s", s->cfg.token_url, err.msg);
    finish_all(all, ok ? value : NULL, ok ? NULL : err.msg);
    gw_cc_token_free(&tok);
    free(value);
}

static void *thread_main(void *arg)
{
    struct gw_cc_source *s = arg;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        uint64_t kicks = s->kicks;
        int64_t now = cmn_clock_now_mono_ms(s->clock);
        struct gw_cc_waiter *expired = take_expired(s, now);
        if (expired) {
            pthread_mutex_unlock(&s->mu);
            finish_all(expired, NULL, DEADLINE_MSG);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        if (!s->stopping && s->want_fetch) {
            s->want_fetch = false;
            s->fetching = true;
            pthread_mutex_unlock(&s->mu);
            fetch(s);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        pass_done(s, kicks);
        if (s->stopping || !s->waiters) {
            struct gw_cc_waiter *rest = take_all(s);
            if (!rest)
                break; /* idle: the next call that needs a token starts a new thread */
            pthread_mutex_unlock(&s->mu);
            finish_all(rest, NULL, STOPPING_MSG);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        cmn_clock_cond_wait_ms(&s->cv, &s->mu, sleep_ms(s, now));
    }
    s->running = false;
    s->passes = UINT64_MAX; /* nobody waits on a thread that left */
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- the API -------------------------------------------------------------------------------- */

struct gw_cc_source *gw_cc_source_new(struct gw_cc_config *cfg, const struct gw_cc_transport *t,
                                      const struct cmn_clock *clock, struct cmn_err *err)
{
    struct gw_cc_source *s = calloc(1, sizeof(*s));

    if (!s || pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    if (cmn_clock_cond_init(&s->cv) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        cmn_err_set(err, 1, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    s->t = *t;
    s->clock = cmn_clock_or_system(clock);
    return s;
}

void gw_cc_source_destroy(struct gw_cc_source *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    s->t.wake(s->t.ctx);
    pthread_mutex_lock(&s->mu);
    while (s->running) /* it resumes every waiter before it leaves */
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (s->t.destroy)
        s->t.destroy(s->t.ctx);
    gw_cc_token_free(&s->token);
    free(s->value);
    gw_cc_config_free(&s->cfg);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

enum gw_cc_acquire gw_cc_source_acquire(struct gw_cc_source *s, struct gw_cc_waiter *w,
                                        char **value)
{
    enum gw_cc_acquire r = GW_CC_WAIT;
    bool wake_transfer = false;

    *value = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        r = GW_CC_NOMEM;
    } else if (s->value && gw_cc_token_valid(&s->token, cmn_clock_now_unix_ms(s->clock))) {
        r = (*value = strdup(s->value)) ? GW_CC_READY : GW_CC_NOMEM;
    } else if (!w) { /* only looking */
        r = GW_CC_WAIT;
    } else {
        if (!s->running) {
            pthread_attr_t a;
            pthread_t th;
            bool started = pthread_attr_init(&a) == 0;
            started = started && pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0 &&
                      pthread_create(&th, &a, thread_main, s) == 0;
            pthread_attr_destroy(&a);
            if (!started) {
                pthread_mutex_unlock(&s->mu);
                return GW_CC_NOMEM;
            }
            s->running = true;
            s->passes = s->kicks; /* the last thread left it at the maximum */
        }
        push(s, w);
        if (!s->fetching)
            s->want_fetch = true;
        wake_transfer = s->fetching; /* its deadline may come before the current slice ends */
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (wake_transfer)
        s->t.wake(s->t.ctx);
    return r;
}

void gw_cc_source_kick(struct gw_cc_source *s)
{
    uint64_t mine;

    pthread_mutex_lock(&s->mu);
    if (!s->running) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    mine = ++s->kicks;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    s->t.wake(s->t.ctx);
    pthread_mutex_lock(&s->mu);
    while (s->passes < mine)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

void gw_cc_source_stats(struct gw_cc_source *s, struct gw_cc_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}
