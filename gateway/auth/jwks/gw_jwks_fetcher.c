/* gw_jwks_fetcher.c - the JWKS fetcher thread: one curl multi handle, one transfer per source
 * at most, installing each new key set as an immutable snapshot. Requests never wait on it. */
#include "gw_jwks_cache_int.h"

#include "cmn_log.h"
#include "cmn_str.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>

/* The fetcher re-reads the clock at least this often; real time only caps its sleep. */
#define POLL_MAX_MS 1000

/* Logs a failure: the first of a run at once, then at most once per log_repeat_ms with the
 * number of failures not logged, so a dead identity provider does not flood the log. */
static void log_failure(struct gw_jwks_cache *c, struct gw_jwks_source *s, int64_t now,
                        const char *msg, size_t keys, int64_t age_ms, int64_t retry_ms)
{
    char kept[128];

    s->consecutive_failures++;
    if (s->consecutive_failures > 1 && now - s->last_log_at < c->opts.log_repeat_ms) {
        s->suppressed++;
        return;
    }
    if (keys)
        snprintf(kept, sizeof(kept), "keeping the %zu key(s) fetched %llds ago", keys,
                 (long long)(age_ms / 1000));
    else
        snprintf(kept, sizeof(kept), "no keys yet, tokens are refused");
    if (s->suppressed)
        cmn_log_error("[JWK] %s: unable to fetch the JWKS: %s; %s; retrying in %lldms "
                      "(%u similar errors not logged)",
                      s->url, msg, kept, (long long)retry_ms, s->suppressed);
    else
        cmn_log_error("[JWK] %s: unable to fetch the JWKS: %s; %s; retrying in %lldms", s->url, msg,
                      kept, (long long)retry_ms);
    s->suppressed = 0;
    s->last_log_at = now;
}

static void log_success(struct gw_jwks_source *s, const struct gw_jwks *set, bool changed)
{
    if (s->consecutive_failures)
        cmn_log_info("[JWK] %s: JWKS reachable again after %u failed fetch(es)", s->url,
                     s->consecutive_failures);
    s->consecutive_failures = 0;
    s->suppressed = 0;
    if (changed)
        cmn_log_info("[JWK] %s: %zu key(s) loaded", s->url, gw_jwks_count(set));
    else
        cmn_log_debug("[JWK] %s: JWKS unchanged", s->url);
}

/* Turns a finished transfer into a new snapshot (or keeps the old one). */
static void complete(struct gw_jwks_cache *c, struct gw_jwks_source *s, struct gw_jwks_fetch *f,
                     CURLcode rc)
{
    struct gw_jwks_fetch_result res;
    struct cmn_err e = {0};
    struct gw_jwks *set = NULL, *old = NULL;
    unsigned char digest[32];
    bool ok = false, same = false;
    int64_t now;

    if (gw_jwks_fetch_finish(f, rc, &res, &e) == GW_JWKS_FETCH_OK) {
        if (!res.content_type_ok && !s->ct_warned) {
            cmn_log_warn("[JWK] %s: should have a JSON content type for JWKS endpoint (got "
                         "'%s'); parsing it anyway",
                         s->url, res.content_type ? res.content_type : "");
            s->ct_warned = true;
        }
        gnutls_hash_fast(GNUTLS_DIG_SHA256, res.body, res.body_len, digest);
        pthread_mutex_lock(&s->mu);
        same = s->set && memcmp(digest, s->digest, sizeof(digest)) == 0;
        pthread_mutex_unlock(&s->mu);
        ok = same || (set = gw_jwks_cache_parse(res.body, res.body_len, s->url, &e)) != NULL;
    }
    now = gw_jwks_now(c);
    pthread_mutex_lock(&s->mu);
    gw_jwks_sched_done(&s->sched, now, ok, s->refresh_ms, c->opts.retry_min_ms,
                       c->opts.retry_max_ms);
    if (ok) {
        s->fetched_at = now;
        s->last_err[0] = '\0';
        if (set) {
            old = s->set;
            s->set = set;
            memcpy(s->digest, digest, sizeof(digest));
            s->stats.updates++;
        }
    } else {
        s->stats.failures++;
        cmn_strlcpy(s->last_err, e.msg, sizeof(s->last_err));
    }
    s->completions++;
    pthread_cond_broadcast(&s->cv);
    if (ok)
        log_success(s, s->set, set != NULL);
    else
        log_failure(c, s, now, e.msg, s->set ? gw_jwks_count(s->set) : 0, now - s->fetched_at,
                    s->sched.backoff_ms);
    pthread_mutex_unlock(&s->mu);
    gw_jwks_unref(old);
}

/* Starts the fetches that are due; returns how long the thread may sleep. */
static int64_t start_due(struct gw_jwks_cache *c, bool *started)
{
    int64_t now = gw_jwks_now(c), sleep_ms = POLL_MAX_MS;
    struct gw_jwks_fetch_limits lim = {.connect_timeout_ms = (long)c->opts.connect_timeout_ms,
                                       .timeout_ms = (long)c->opts.timeout_ms};

    for (size_t i = 0; i < c->n_sources; i++) {
        struct gw_jwks_source *s = c->sources[i];
        struct cmn_err e = {0};
        int64_t due;
        bool go = false;

        pthread_mutex_lock(&s->mu);
        due = gw_jwks_sched_due(&s->sched);
        if (due <= now) {
            go = true;
            if (gw_jwks_sched_start(&s->sched, now, s->cooldown_ms))
                s->stats.miss_requests++;
            s->stats.fetches++;
        } else if (due - now < sleep_ms) {
            sleep_ms = due - now;
        }
        pthread_mutex_unlock(&s->mu);
        if (!go)
            continue;
        s->inflight = gw_jwks_fetch_new(s->url, &s->tls, &lim, s, &e);
        if (s->inflight && curl_multi_add_handle(c->multi, s->inflight->easy) == CURLM_OK) {
            *started = true;
            continue;
        }
        if (s->inflight) {
            gw_jwks_fetch_destroy(s->inflight);
            s->inflight = NULL;
            cmn_err_set(&e, 1, "could not start the transfer");
        }
        /* Count it as a failed fetch so the backoff applies. */
        pthread_mutex_lock(&s->mu);
        gw_jwks_sched_done(&s->sched, now, false, s->refresh_ms, c->opts.retry_min_ms,
                           c->opts.retry_max_ms);
        s->stats.failures++;
        cmn_strlcpy(s->last_err, e.msg, sizeof(s->last_err));
        s->completions++;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        cmn_log_error("[JWK] %s: %s", s->url, e.msg);
    }
    return sleep_ms < 0 ? 0 : sleep_ms;
}

static void drain_done(struct gw_jwks_cache *c)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(c->multi, &left))) {
        struct gw_jwks_fetch *f = NULL;
        struct gw_jwks_source *s;
        CURLcode rc;

        if (m->msg != CURLMSG_DONE)
            continue;
        rc = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&f);
        curl_multi_remove_handle(c->multi, m->easy_handle);
        if (!f)
            continue;
        s = f->owner;
        s->inflight = NULL;
        complete(c, s, f, rc);
        gw_jwks_fetch_destroy(f);
    }
}

/* Tells gw_jwks_cache_kick callers that a pass over the schedule that began after kick
 * number `seen` has ended. */
static void pass_done(struct gw_jwks_cache *c, uint64_t seen)
{
    pthread_mutex_lock(&c->kick_mu);
    if (seen > c->kicks_done) {
        c->kicks_done = seen;
        pthread_cond_broadcast(&c->kick_cv);
    }
    pthread_mutex_unlock(&c->kick_mu);
}

static void *fetcher_main(void *arg)
{
    struct gw_jwks_cache *c = arg;

    while (!atomic_load(&c->stopping)) {
        int running = 0;
        bool started = false;
        int64_t sleep_ms;
        uint64_t kicks;

        /* Read before the clock is: a kick that moved the clock is then seen by start_due. */
        pthread_mutex_lock(&c->kick_mu);
        kicks = c->kicks;
        pthread_mutex_unlock(&c->kick_mu);
        curl_multi_perform(c->multi, &running);
        drain_done(c);
        sleep_ms = start_due(c, &started);
        pass_done(c, kicks);
        if (started)
            continue; /* let curl begin the new transfers before sleeping */
        curl_multi_poll(c->multi, NULL, 0, (int)sleep_ms, NULL);
    }
    pass_done(c, UINT64_MAX); /* nobody may wait on a fetcher that left */
    return NULL;
}

void gw_jwks_cache_kick(struct gw_jwks_cache *c)
{
    uint64_t mine;

    for (size_t i = 0; i < c->n_sources; i++) {
        pthread_mutex_lock(&c->sources[i]->mu);
        pthread_cond_broadcast(&c->sources[i]->cv);
        pthread_mutex_unlock(&c->sources[i]->mu);
    }
    if (!c->started)
        return;
    pthread_mutex_lock(&c->kick_mu);
    mine = ++c->kicks;
    pthread_mutex_unlock(&c->kick_mu);
    curl_multi_wakeup(c->multi); /* a wake-up sent before the fetcher polls is not lost */
    pthread_mutex_lock(&c->kick_mu);
    while (c->kicks_done < mine)
        pthread_cond_wait(&c->kick_cv, &c->kick_mu);
    pthread_mutex_unlock(&c->kick_mu);
}

int gw_jwks_cache_start(struct gw_jwks_cache *c, struct cmn_err *err)
{
    if (c->started)
        return GW_JWKS_CACHE_OK;
    for (size_t i = 0; i < c->n_sources; i++)
        if (c->sources[i]->url)
            cmn_log_info("[JWK] %s: fetching the JWKS in the background (refresh every %llds)",
                         c->sources[i]->url, (long long)(c->sources[i]->refresh_ms / 1000));
    if (pthread_create(&c->thread, NULL, fetcher_main, c) != 0)
        return cmn_err_set(err, GW_JWKS_CACHE_THREAD, "cannot start the JWKS fetcher thread");
    c->started = true;
    return GW_JWKS_CACHE_OK;
}

void gw_jwks_fetcher_stop(struct gw_jwks_cache *c)
{
    if (!c->started)
        return;
    atomic_store(&c->stopping, true);
    curl_multi_wakeup(c->multi);
    pthread_join(c->thread, NULL);
    c->started = false;
    for (size_t i = 0; i < c->n_sources; i++) {
        struct gw_jwks_source *s = c->sources[i];
        if (!s->inflight)
            continue;
        curl_multi_remove_handle(c->multi, s->inflight->easy);
        gw_jwks_fetch_destroy(s->inflight);
        s->inflight = NULL;
    }
    for (size_t i = 0; i < c->n_sources; i++) {
        pthread_mutex_lock(&c->sources[i]->mu);
        pthread_cond_broadcast(&c->sources[i]->cv);
        pthread_mutex_unlock(&c->sources[i]->mu);
    }
}
