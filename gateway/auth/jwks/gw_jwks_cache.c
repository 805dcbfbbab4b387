/* gw_jwks_cache.c - JWKS source registry: shared snapshots, lookups, and refresh scheduling. */
#include "gw_jwks_cache.h"

#include "cmn_buf.h"
#include "cmn_clock.h"
#include "cmn_file.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_jwks_cache_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_WAITERS 64 /* lookups allowed to wait on one source at once (wait_ms > 0) */
/* A waiting lookup re-reads the clock at least this often (a manual clock moves silently). */
#define WAIT_SLICE_MS 1000

int64_t gw_jwks_sched_due(const struct gw_jwks_sched *s)
{
    int64_t due;

    if (s->in_flight || s->never)
        return INT64_MAX;
    due = s->next_due;
    /* An unknown kid hurries the next fetch, but never past the cooldown and never while a
     * failing source is already retrying on its own backoff. */
    if (s->miss_pending && s->backoff_ms == 0 && s->miss_allowed_at < due)
        due = s->miss_allowed_at;
    return due;
}

bool gw_jwks_sched_start(struct gw_jwks_sched *s, int64_t now, int64_t cooldown_ms)
{
    bool for_miss = s->miss_pending && now < s->next_due;

    s->in_flight = true;
    s->miss_pending = false;
    /* Only unknown-kid refetches spend the cooldown: a scheduled or first fetch must not make
     * a key rotated right after it wait a whole cooldown to be accepted. */
    if (for_miss)
        s->miss_allowed_at = now + cooldown_ms;
    return for_miss;
}

void gw_jwks_sched_done(struct gw_jwks_sched *s, int64_t now, bool ok, int64_t refresh_ms,
                        int64_t retry_min_ms, int64_t retry_max_ms)
{
    s->in_flight = false;
    if (ok) {
        s->backoff_ms = 0;
        s->next_due = now + refresh_ms;
        return;
    }
    s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : retry_min_ms;
    if (s->backoff_ms > retry_max_ms)
        s->backoff_ms = retry_max_ms;
    s->next_due = now + s->backoff_ms;
}

static int64_t pick(int64_t v, int64_t def)
{
    return v > 0 ? v : def;
}

struct gw_jwks_cache *gw_jwks_cache_new(const struct gw_jwks_cache_opts *opts, struct cmn_err *err)
{
    struct gw_jwks_cache_opts o = {0};
    struct gw_jwks_cache *c = calloc(1, sizeof(*c));

    if (opts)
        o = *opts;
    if (!c) {
        cmn_err_set(err, GW_JWKS_CACHE_NOMEM, "out of memory");
        return NULL;
    }
    c->opts.connect_timeout_ms = pick(o.connect_timeout_ms, GW_JWKS_DEFAULT_CONNECT_TIMEOUT_MS);
    c->opts.timeout_ms = pick(o.timeout_ms, GW_JWKS_DEFAULT_TIMEOUT_MS);
    c->opts.retry_min_ms = pick(o.retry_min_ms, GW_JWKS_DEFAULT_RETRY_MIN_MS);
    c->opts.retry_max_ms = pick(o.retry_max_ms, GW_JWKS_DEFAULT_RETRY_MAX_MS);
    if (c->opts.retry_max_ms < c->opts.retry_min_ms)
        c->opts.retry_max_ms = c->opts.retry_min_ms;
    c->opts.kid_cooldown_ms = pick(o.kid_cooldown_ms, GW_JWKS_DEFAULT_KID_COOLDOWN_MS);
    c->opts.nocache_refresh_ms = pick(o.nocache_refresh_ms, GW_JWKS_DEFAULT_NOCACHE_REFRESH_MS);
    c->opts.stale_grace_ms = pick(o.stale_grace_ms, GW_JWKS_DEFAULT_STALE_GRACE_MS);
    c->opts.log_repeat_ms = pick(o.log_repeat_ms, GW_JWKS_DEFAULT_LOG_REPEAT_MS);
    c->opts.clock = cmn_clock_or_system(o.clock);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cmn_err_set(err, GW_JWKS_CACHE_NOMEM, "libcurl failed to initialise");
        free(c);
        return NULL;
    }
    c->multi = curl_multi_init();
    if (!c->multi) {
        cmn_err_set(err, GW_JWKS_CACHE_NOMEM, "out of memory");
        curl_global_cleanup();
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->kick_mu, NULL);
    pthread_cond_init(&c->kick_cv, NULL);
    return c;
}

static void source_destroy(struct gw_jwks_source *s)
{
    if (!s)
        return;
    gw_jwks_unref(s->set);
    gw_jwks_tls_free(&s->tls);
    free(s->id);
    free(s->url);
    free(s->path);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

/* Reads a whole file up to GW_JWKS_MAX_BYTES (one byte more is "too large"). */
static bool read_file(const char *path, struct cmn_buf *out, struct cmn_err *err)
{
    char *data;
    size_t len;
    int e;
    bool ok;

    switch (cmn_file_read(path, GW_JWKS_MAX_BYTES, 0, &data, &len, &e)) {
    case CMN_FILE_OK:
        break;
    case CMN_FILE_TOO_BIG:
        return cmn_err_set(err, 1, "larger than %d bytes", GW_JWKS_MAX_BYTES), false;
    case CMN_FILE_NOMEM:
        return cmn_err_set(err, 1, "out of memory"), false;
    case CMN_FILE_NOT_REGULAR:
        return cmn_err_set(err, 1, "cannot read: %s", strerror(EISDIR)), false;
    case CMN_FILE_READ:
        return cmn_err_set(err, 1, "cannot read: %s", strerror(e)), false;
    default:
        return cmn_err_set(err, 1, "cannot open: %s", strerror(e)), false;
    }
    ok = cmn_buf_append(out, data, len) == CMN_BUF_OK;
    if (!ok)
        cmn_err_set(err, 1, "larger than %d bytes", GW_JWKS_MAX_BYTES);
    free(data);
    return ok;
}

/* Parses a JWKS document; a set with no usable key is an error (KrakenD: "no Keys has been
 * found"), so the caller keeps what it had. Returns an owned set or NULL with err. */
struct gw_jwks *gw_jwks_cache_parse(const char *data, size_t len, const char *name,
                                    struct cmn_err *err)
{
    size_t skipped = 0;
    struct gw_jwks *set = gw_jwks_parse(data, len, &skipped, err);

    if (!set) {
        cmn_err_prefix(err, "invalid JWKS: ");
        return NULL;
    }
    if (gw_jwks_count(set) == 0) {
        gw_jwks_unref(set);
        cmn_err_set(err, 1, "no Keys has been found (%zu skipped)", skipped);
        return NULL;
    }
    if (skipped)
        cmn_log_warn("[JWK] %s: %zu key(s) skipped (unsupported or not for signatures)", name,
                     skipped);
    return set;
}

static void load_local(struct gw_jwks_source *s)
{
    struct cmn_buf b;
    struct cmn_err e = {0};
    struct gw_jwks *set = NULL;

    cmn_buf_init(&b, GW_JWKS_MAX_BYTES);
    if (read_file(s->path, &b, &e))
        set = gw_jwks_cache_parse(cmn_buf_str(&b), b.len, s->path, &e);
    cmn_buf_free(&b);
    if (!set) {
        s->unavailable = true;
        cmn_strlcpy(s->last_err, e.msg, sizeof(s->last_err));
        /* the caller decides what follows (the validator stops startup, as KrakenD does) */
        cmn_log_debug("[JWK] jwk_local_path '%s': %s", s->path, e.msg);
        return;
    }
    s->set = set;
    s->fetched_at = gw_jwks_now(s->cache);
    cmn_log_info("[JWK] %s: %zu key(s) loaded", s->path, gw_jwks_count(set));
}

static int64_t refresh_of(const struct gw_jwks_cache *c, const struct gw_jwks_source_opts *o)
{
    if (!o->cache)
        return c->opts.nocache_refresh_ms;
    if (o->cache_duration_s <= 0)
        return (int64_t)GW_JWKS_DEFAULT_CACHE_DURATION_S * 1000;
    if (o->cache_duration_s > (int64_t)UINT32_MAX)
        return (int64_t)UINT32_MAX * 1000;
    return o->cache_duration_s * 1000;
}

/* Identity of a source: the local path, or the URL with everything that changes how it is
 * fetched. Owned string or NULL. */
static char *source_id(const char *url, const char *path, const struct gw_jwks_tls *t)
{
    struct cmn_buf b;

    cmn_buf_init(&b, 3 * 65536);
    if (path)
        cmn_buf_printf(&b, "file\x1f%s", path);
    else
        cmn_buf_printf(&b, "url\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s", url, t->insecure,
                       t->pins ? t->pins : "", t->local_ca ? t->local_ca : "",
                       t->priority ? t->priority : "");
    if (b.len == 0) {
        cmn_buf_free(&b);
        return NULL;
    }
    return cmn_buf_take(&b, NULL);
}

static int check_url(const struct gw_jwks_source_opts *o, struct cmn_err *err)
{
    const char *u = o->jwk_url;

    if (strlen(u) > 8192)
        return cmn_err_set(err, GW_JWKS_CACHE_BAD_SOURCE, "jwk_url: longer than 8192 bytes");
    if (strncasecmp(u, "https://", 8) == 0)
        return GW_JWKS_CACHE_OK;
    if (strncasecmp(u, "http://", 7) != 0)
        return cmn_err_set(err, GW_JWKS_CACHE_BAD_SOURCE,
                           "jwk_url: only http:// and https:// URLs are supported");
    if (!o->disable_jwk_security)
        return cmn_err_set(err, GW_JWKS_CACHE_INSECURE,
                           "JWK client is using an insecure connection to the JWK service");
    return GW_JWKS_CACHE_OK;
}

static struct gw_jwks_source *find_source(struct gw_jwks_cache *c, const char *id)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (strcmp(c->sources[i]->id, id) == 0)
            return c->sources[i];
    return NULL;
}

static struct gw_jwks_source *source_new(struct gw_jwks_cache *c, const char *url, const char *path)
{
    struct gw_jwks_source *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->cache = c;
    pthread_mutex_init(&s->mu, NULL);
    cmn_clock_cond_init(&s->cv);
    s->url = url ? strdup(url) : NULL;
    s->path = path ? strdup(path) : NULL;
    if ((url && !s->url) || (path && !s->path)) {
        source_destroy(s);
        return NULL;
    }
    s->sched.never = path != NULL;
    return s;
}

struct gw_jwks_source *gw_jwks_cache_add(struct gw_jwks_cache *c,
                                         const struct gw_jwks_source_opts *o, struct cmn_err *err)
{
    struct gw_jwks_tls tls = {0};
    struct gw_jwks_source *s = NULL, **grown;
    const char *path = o->jwk_local_path && *o->jwk_local_path ? o->jwk_local_path : NULL;
    const char *url = !path && o->jwk_url && *o->jwk_url ? o->jwk_url : NULL;
    int64_t refresh, cooldown;
    char *id = NULL;

    if (c->started) {
        cmn_err_set(err, GW_JWKS_CACHE_STARTED, "JWKS sources must be added before start");
        return NULL;
    }
    if (!path && !url) {
        cmn_err_set(err, GW_JWKS_CACHE_BAD_SOURCE, "neither jwk_url nor jwk_local_path is set");
        return NULL;
    }
    if (url && check_url(o, err) != GW_JWKS_CACHE_OK)
        return NULL;
    if (url && gw_jwks_tls_init(&tls, o->disable_jwk_security, o->jwk_fingerprints,
                                o->n_fingerprints, o->jwk_local_ca, o->cipher_suites,
                                o->n_cipher_suites, err) != GW_JWKS_FETCH_OK) {
        err->code = GW_JWKS_CACHE_BAD_TLS;
        return NULL;
    }
    refresh = refresh_of(c, o);
    cooldown = o->failed_jwk_key_cooldown_ms >= GW_JWKS_MIN_KID_COOLDOWN_MS
                   ? o->failed_jwk_key_cooldown_ms
                   : c->opts.kid_cooldown_ms;
    id = source_id(url, path, &tls);
    if (!id)
        goto nomem;
    s = find_source(c, id);
    if (s) { /* shared: the most demanding endpoint sets the pace */
        if (refresh < s->refresh_ms)
            s->refresh_ms = refresh;
        if (cooldown < s->cooldown_ms)
            s->cooldown_ms = cooldown;
        gw_jwks_tls_free(&tls);
        free(id);
        return s;
    }
    if (c->n_sources >= GW_JWKS_MAX_SOURCES) {
        cmn_err_set(err, GW_JWKS_CACHE_TOO_MANY, "more than %d distinct JWKS sources",
                    GW_JWKS_MAX_SOURCES);
        goto fail;
    }
    grown = realloc(c->sources, (c->n_sources + 1) * sizeof(*grown));
    if (!grown)
        goto nomem;
    c->sources = grown;
    s = source_new(c, url, path);
    if (!s)
        goto nomem;
    s->id = id;
    s->tls = tls;
    s->refresh_ms = refresh;
    s->cooldown_ms = cooldown;
    if (path)
        load_local(s);
    c->sources[c->n_sources++] = s;
    return s;
nomem:
    cmn_err_set(err, GW_JWKS_CACHE_NOMEM, "out of memory");
fail:
    gw_jwks_tls_free(&tls);
    free(id);
    return NULL;
}

size_t gw_jwks_cache_source_count(const struct gw_jwks_cache *c)
{
    return c ? c->n_sources : 0;
}

void gw_jwks_cache_destroy(struct gw_jwks_cache *c)
{
    if (!c)
        return;
    gw_jwks_fetcher_stop(c);
    for (size_t i = 0; i < c->n_sources; i++)
        source_destroy(c->sources[i]);
    free(c->sources);
    curl_multi_cleanup(c->multi);
    curl_global_cleanup();
    pthread_cond_destroy(&c->kick_cv);
    pthread_mutex_destroy(&c->kick_mu);
    free(c);
}

/* Decides what a lookup sees, with s->mu held. */
static enum gw_jwks_status evaluate(struct gw_jwks_source *s, int64_t now)
{
    if (s->unavailable)
        return GW_JWKS_UNAVAILABLE;
    if (!s->set)
        return GW_JWKS_NO_KEYS_YET;
    if (!s->sched.never && now > s->fetched_at + s->refresh_ms + s->cache->opts.stale_grace_ms)
        return GW_JWKS_STALE;
    return GW_JWKS_OK;
}

/* With s->mu held: asks for a refetch; true when the fetcher needs waking. */
static bool request_miss(struct gw_jwks_source *s)
{
    if (s->sched.never || s->sched.miss_pending)
        return false;
    s->sched.miss_pending = true;
    return true;
}

static void wake(struct gw_jwks_source *s, bool needed)
{
    if (needed)
        curl_multi_wakeup(s->cache->multi);
}

/* With s->mu held: a fetch is running or about to start, so waiting for it makes sense. */
static bool fetch_coming(const struct gw_jwks_source *s, int64_t now)
{
    return s->sched.in_flight || gw_jwks_sched_due(&s->sched) <= now;
}

/* With s->mu held: waits (bounded by deadline, in the registry's clock) for the fetch that is
 * running or about to start to finish. Returns false when no fetch is coming, so there is
 * nothing to wait for. */
static bool wait_for_fetch(struct gw_jwks_source *s, bool *woke, int64_t deadline)
{
    struct gw_jwks_cache *c = s->cache;
    uint64_t seen = s->completions;

    /* The fetcher must see the miss before we sleep on its answer. */
    pthread_mutex_unlock(&s->mu);
    wake(s, *woke);
    *woke = false;
    pthread_mutex_lock(&s->mu);
    if (s->completions == seen && !fetch_coming(s, gw_jwks_now(c)))
        return false;
    s->waiters++;
    while (s->completions == seen && !atomic_load(&c->stopping)) {
        int64_t left = deadline - gw_jwks_now(c);
        if (left <= 0)
            break;
        /* Real time only bounds the sleep; the fetch's end or a kick wakes it sooner. */
        cmn_clock_cond_wait_ms(&s->cv, &s->mu, left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS);
    }
    s->waiters--;
    return true;
}

enum gw_jwks_status gw_jwks_source_lookup(struct gw_jwks_source *s, const char *kid,
                                          int64_t wait_ms, struct gw_jwks **set,
                                          const struct gw_jwk **key)
{
    enum gw_jwks_status st;
    bool woke = false, waited = false;
    int64_t now = gw_jwks_now(s->cache), deadline;

    *set = NULL;
    *key = NULL;
    if (wait_ms > s->cache->opts.timeout_ms)
        wait_ms = s->cache->opts.timeout_ms;
    deadline = now + wait_ms;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        st = evaluate(s, now);
        if (st == GW_JWKS_OK) {
            const struct gw_jwk *k = gw_jwks_find(s->set, kid);
            if (k) {
                *set = gw_jwks_ref(s->set);
                *key = k;
                break;
            }
            st = GW_JWKS_UNKNOWN_KID;
            woke = request_miss(s) || woke;
        }
        if (waited || wait_ms <= 0 || (st != GW_JWKS_UNKNOWN_KID && st != GW_JWKS_NO_KEYS_YET))
            break;
        if (s->waiters >= MAX_WAITERS)
            break;
        if (!wait_for_fetch(s, &woke, deadline))
            break;
        waited = true;
        now = gw_jwks_now(s->cache);
    }
    pthread_mutex_unlock(&s->mu);
    wake(s, woke);
    return st;
}

enum gw_jwks_status gw_jwks_source_current(struct gw_jwks_source *s, struct gw_jwks **set)
{
    enum gw_jwks_status st;

    pthread_mutex_lock(&s->mu);
    st = evaluate(s, gw_jwks_now(s->cache));
    *set = st == GW_JWKS_OK ? gw_jwks_ref(s->set) : NULL;
    pthread_mutex_unlock(&s->mu);
    return st;
}

int64_t gw_jwks_cache_timeout_ms(const struct gw_jwks_cache *c)
{
    return c->opts.timeout_ms;
}

void gw_jwks_source_report_miss(struct gw_jwks_source *s)
{
    bool w;

    pthread_mutex_lock(&s->mu);
    w = request_miss(s);
    pthread_mutex_unlock(&s->mu);
    wake(s, w);
}

uint64_t gw_jwks_source_progress(struct gw_jwks_source *s, bool *coming)
{
    uint64_t n;

    pthread_mutex_lock(&s->mu);
    n = s->completions;
    *coming = fetch_coming(s, gw_jwks_now(s->cache));
    pthread_mutex_unlock(&s->mu);
    return n;
}

bool gw_jwks_source_last_error(struct gw_jwks_source *s, char *buf, size_t n)
{
    bool has;

    pthread_mutex_lock(&s->mu);
    has = s->last_err[0] != '\0';
    if (n)
        cmn_strlcpy(buf, s->last_err, n);
    pthread_mutex_unlock(&s->mu);
    return has;
}

const char *gw_jwks_source_name(const struct gw_jwks_source *s)
{
    return s->path ? s->path : s->url;
}

void gw_jwks_source_stats(struct gw_jwks_source *s, struct gw_jwks_source_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}
