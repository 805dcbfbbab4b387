/* gw_rl_config.c - qos/ratelimit/router and qos/ratelimit/proxy from JSON into immutable
 * structs, as krakend-ratelimit v3.3.1's ConfigGetters read them (§5.2-§5.4, §5.9). */
#include "gw_rl_int.h"

#include "cmn_buf.h"
#include "cmn_go_duration.h"
#include "cmn_go_header.h"
#include "cmn_go_value.h"
#include "cmn_log.h"
#include "cmn_str.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECOND_NS 1000000000LL
#define MINUTE_NS (60 * SECOND_NS)
#define DATA_TTL_NS (10 * MINUTE_NS) /* krakendrate.DataTTL */
#define GOV_MAX_BYTES 1024

/* Owned Go %v text of v; NULL on allocation failure. */
static char *go_text(const json_t *v)
{
    struct cmn_buf b;

    cmn_buf_init(&b, GOV_MAX_BYTES);
    if (!cmn_go_sprint_v(&b, v) && b.len == 0) {
        cmn_buf_free(&b);
        return cmn_strndup("", 0);
    }
    return cmn_buf_take(&b, NULL); /* a value cut at the cap still reads well in a log line */
}

/* time.ParseDuration of a JSON string (no embedded NUL: Go would refuse it too). */
static bool parse_duration(const json_t *v, int64_t *ns)
{
    const char *s = json_string_value(v);

    return strlen(s) == json_string_length(v) && cmn_go_parse_duration(s, ns);
}

/* ---- the option table ---- */

enum kind {
    K_RATE,     /* float64 (Go accepts int, int64, float64) */
    K_COUNT,    /* uint64(float64) */
    K_TEXT,     /* fmt.Sprintf("%v") */
    K_DURATION, /* time.ParseDuration(fmt.Sprintf("%v")) */
};

struct optval {
    bool present;
    bool valid;
    double num;
    uint64_t count;
    char *text;
    int64_t ns;
};

struct opt {
    const char *name;
    enum kind kind;
};

enum {
    R_MAX_RATE,
    R_CAPACITY,
    R_STRATEGY,
    R_CLIENT_MAX_RATE,
    R_CLIENT_CAPACITY,
    R_KEY,
    R_EVERY,
    R_NUM_SHARDS,
    R_CLEANUP_PERIOD,
    R_CLEANUP_THREADS,
    R_COUNT
};

static const struct opt router_opts[R_COUNT] = {
    {"max_rate", K_RATE},         {"capacity", K_COUNT},        {"strategy", K_TEXT},
    {"client_max_rate", K_RATE},  {"client_capacity", K_COUNT}, {"key", K_TEXT},
    {"every", K_DURATION},        {"num_shards", K_COUNT},      {"cleanup_period", K_DURATION},
    {"cleanup_threads", K_COUNT},
};

enum { P_MAX_RATE, P_CAPACITY, P_EVERY, P_COUNT };

static const struct opt proxy_opts[P_COUNT] = {
    {"max_rate", K_RATE},
    {"capacity", K_COUNT},
    {"every", K_DURATION},
};

/* Reads one option as Go would; anything Go silently drops or bends becomes a warning. */
static bool read_opt(const json_t *v, const struct opt *o, const char *path, struct optval *out,
                     const struct cmn_warn *w)
{
    out->present = true;
    switch (o->kind) {
    case K_RATE:
        out->valid = json_is_number(v);
        if (out->valid)
            out->num = json_number_value(v);
        else
            cmn_warnf(w, "%s.%s: not a number; ignored (KrakenD ignores it too)", path, o->name);
        break;
    case K_COUNT:
        out->valid = json_is_number(v);
        if (!out->valid) {
            cmn_warnf(w, "%s.%s: not a number; ignored (KrakenD ignores it too)", path, o->name);
            break;
        }
        out->num = json_number_value(v);
        out->count = cmn_go_f64_to_u64(out->num);
        if (out->num < 0 || out->num != floor(out->num) || out->num >= 18446744073709551616.0)
            cmn_warnf(w, "%s.%s: %g is not a count; read as %" PRIu64 " (Go's uint64())", path,
                      o->name, out->num, out->count);
        break;
    case K_TEXT:
        out->text = go_text(v);
        if (!out->text)
            return false;
        out->valid = true;
        if (!json_is_string(v))
            cmn_warnf(w, "%s.%s: not a string; read as \"%s\" (Go's %%v)", path, o->name,
                      out->text);
        break;
    case K_DURATION:
        if (json_is_string(v))
            out->valid = parse_duration(v, &out->ns);
        else if (json_is_number(v) && json_number_value(v) == 0) {
            out->valid = true; /* prints as "0", the one number ParseDuration accepts */
            out->ns = 0;
        } else
            out->valid = false;
        if (!out->valid)
            cmn_warnf(w, "%s.%s: not a Go duration with a unit (\"1s\", \"1m\"); default used",
                      path, o->name);
        break;
    }
    return true;
}

/* Reads every option of table opts from the object ns; unknown keys are warned about. */
static bool read_all(const json_t *ns, const struct opt *opts, size_t n, const char *path,
                     struct optval *vals, const struct cmn_warn *w)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)(uintptr_t)ns, k, v)
    {
        size_t i;

        for (i = 0; i < n && strcmp(opts[i].name, k) != 0; i++)
            ;
        if (i < n) {
            if (!read_opt(v, &opts[i], path, &vals[i], w))
                return false;
        } else if (!k[0] || !strchr("@$_#", k[0])) {
            cmn_warnf(w, "%s.%s: unknown option; ignored", path, k);
        }
    }
    return true;
}

static void free_vals(struct optval *vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(vals[i].text);
}

/* Bucket parameters from a per-second rate and a capacity ([rl:tokenbucket.go]). */
static void bucket_params(struct gw_rl_bucket_params *b, double rate, uint64_t capacity,
                          const char *path, const char *what, const struct cmn_warn *w)
{
    double r = rate < 1e-9 ? 1e-9 : rate;

    b->rate = rate;
    b->capacity = capacity < 1 ? 1 : capacity;
    b->fill_ns = cmn_go_f64_to_i64(1e9 / r);
    if (b->fill_ns < 1) {
        cmn_warnf(w,
                  "%s: %s above 1e9 per second: a refill every 1ns (KrakenD divides by "
                  "zero once the bucket is empty)",
                  path, what);
        b->fill_ns = 1;
    }
}

/* §5.4: capacity 0 or absent -> 1 below one token per second, else the rate truncated. */
static uint64_t default_capacity(double rate)
{
    return rate < 1 ? 1 : cmn_go_f64_to_u64(rate);
}

static enum gw_rl_strategy strategy_of(const char *s)
{
    char low[8];
    size_t n = strlen(s);

    if (n >= sizeof(low))
        return GW_RL_STRATEGY_NONE;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
    if (strcmp(low, "ip") == 0)
        return GW_RL_STRATEGY_IP;
    if (strcmp(low, "header") == 0)
        return GW_RL_STRATEGY_HEADER;
    if (strcmp(low, "param") == 0)
        return GW_RL_STRATEGY_PARAM;
    return GW_RL_STRATEGY_NONE;
}

/* ---- qos/ratelimit/router ---- */

static void router_every(struct gw_rl_router_config *c, const struct optval *every,
                         const char *path, const struct cmn_warn *w)
{
    int64_t e;
    double factor;

    c->every_ns = SECOND_NS;
    if (!every->present)
        return; /* no scaling at all: the rates are per second */
    e = every->valid ? every->ns : SECOND_NS;
    if (e < SECOND_NS) {
        if (every->valid)
            cmn_warnf(w, "%s.every: below 1s; raised to 1s (as KrakenD does)", path);
        e = SECOND_NS;
    }
    factor = (double)SECOND_NS / (double)e;
    c->max_rate *= factor;
    c->client_max_rate *= factor;
    c->every_ns = e;
    c->ttl_jitter = e > DATA_TTL_NS;
}

static void router_limits(struct gw_rl_router_config *c, const struct optval *v, const char *path,
                          const struct cmn_warn *w)
{
    uint64_t cap;

    c->endpoint_on = c->max_rate > 0;
    if (c->endpoint_on) {
        cap = v[R_CAPACITY].count ? v[R_CAPACITY].count : default_capacity(c->max_rate);
        bucket_params(&c->endpoint, c->max_rate, cap, path, "max_rate", w);
    }
    c->strategy = strategy_of(c->strategy_text);
    c->client_on = c->client_max_rate > 0 && c->strategy != GW_RL_STRATEGY_NONE;
    if (c->client_max_rate > 0 && c->strategy == GW_RL_STRATEGY_NONE)
        cmn_warnf(w,
                  "%s.strategy: \"%s\" is not ip, header or param: no client limit (KrakenD "
                  "logs \"Unknown strategy\")",
                  path, c->strategy_text);
    if (!c->client_on)
        return;
    cap = v[R_CLIENT_CAPACITY].count;
    if (!cap) {
        /* KrakenD's bug, reproduced: the default looks at max_rate, not client_max_rate */
        cap = c->max_rate < 1 ? 1 : cmn_go_f64_to_u64(c->client_max_rate);
        if (cap != default_capacity(c->client_max_rate))
            cmn_warnf(w,
                      "%s.client_capacity: absent, and max_rate is below 1 per second: the "
                      "client bucket holds 1 token, not %" PRIu64
                      " (KrakenD's default uses max_rate; set client_capacity)",
                      path, default_capacity(c->client_max_rate));
    }
    bucket_params(&c->client, c->client_max_rate, cap, path, "client_max_rate", w);
}

enum gw_rl_status gw_rl_router_config_parse(const json_t *ns, const char *path,
                                            struct gw_rl_router_config *out,
                                            const struct cmn_warn *warnings, struct cmn_err *err)
{
    struct optval v[R_COUNT];
    enum gw_rl_status st = GW_RL_OK;

    memset(out, 0, sizeof(*out));
    memset(v, 0, sizeof(v));
    out->every_ns = SECOND_NS;
    out->cleanup_ns = MINUTE_NS;
    out->num_shards = 2048;
    out->cleanup_threads = 1;
    out->strategy_text = cmn_strndup("", 0);
    out->key = cmn_strndup("", 0);
    out->key_header = cmn_strndup("", 0);
    if (!out->strategy_text || !out->key || !out->key_header)
        goto nomem;
    if (!ns)
        return GW_RL_ABSENT;
    if (!json_is_object(ns)) /* KrakenD's ERROR line says it (gw_rl_*_log_startup) */
        return GW_RL_WRONG;
    if (!read_all(ns, router_opts, R_COUNT, path, v, warnings))
        goto nomem;
    if (v[R_MAX_RATE].valid)
        out->max_rate = v[R_MAX_RATE].num;
    if (v[R_CLIENT_MAX_RATE].valid)
        out->client_max_rate = v[R_CLIENT_MAX_RATE].num;
    if (v[R_STRATEGY].text) {
        free(out->strategy_text);
        out->strategy_text = v[R_STRATEGY].text;
        v[R_STRATEGY].text = NULL;
    }
    if (v[R_KEY].text) {
        size_t n = strlen(v[R_KEY].text) + 1;

        free(out->key);
        free(out->key_header);
        out->key = v[R_KEY].text;
        v[R_KEY].text = NULL;
        out->key_header = malloc(n);
        if (!out->key_header)
            goto nomem;
        cmn_go_canonical_header(out->key, out->key_header, n);
    }
    router_every(out, &v[R_EVERY], path, warnings);
    router_limits(out, v, path, warnings);
    if (v[R_NUM_SHARDS].valid) {
        out->num_shards = v[R_NUM_SHARDS].count;
        cmn_warnf(warnings,
                  "%s.num_shards: read, not applied: client buckets live in one fixed-size "
                  "table (docs/qos.md)",
                  path);
    }
    if (v[R_CLEANUP_PERIOD].present) {
        out->cleanup_ns = v[R_CLEANUP_PERIOD].valid ? v[R_CLEANUP_PERIOD].ns : MINUTE_NS;
        if (out->cleanup_ns < SECOND_NS) {
            if (v[R_CLEANUP_PERIOD].valid)
                cmn_warnf(warnings, "%s.cleanup_period: below 1s; raised to 1s", path);
            out->cleanup_ns = SECOND_NS;
        }
    }
    if (v[R_CLEANUP_THREADS].valid) {
        out->cleanup_threads = v[R_CLEANUP_THREADS].count;
        cmn_warnf(warnings, "%s.cleanup_threads: read, not applied (KrakenD ignores it too)", path);
    }
    goto out;
nomem:
    st = cmn_err_set(err, GW_RL_NOMEM, "%s: out of memory", path);
    gw_rl_router_config_free(out);
out:
    free_vals(v, R_COUNT);
    return st;
}

void gw_rl_router_config_free(struct gw_rl_router_config *c)
{
    if (!c)
        return;
    free(c->strategy_text);
    free(c->key);
    free(c->key_header);
    memset(c, 0, sizeof(*c));
}

/* ---- qos/ratelimit/proxy ---- */

enum gw_rl_status gw_rl_proxy_config_parse(const json_t *ns, const char *path,
                                           struct gw_rl_proxy_config *out,
                                           const struct cmn_warn *warnings, struct cmn_err *err)
{
    struct optval v[P_COUNT];
    double factor = 1.0, rate;
    enum gw_rl_status st = GW_RL_OK;

    memset(out, 0, sizeof(*out));
    memset(v, 0, sizeof(v));
    out->every_ns = SECOND_NS;
    if (!ns)
        return GW_RL_ABSENT;
    if (!json_is_object(ns)) /* KrakenD's ERROR line says it (gw_rl_*_log_startup) */
        return GW_RL_WRONG;
    if (!read_all(ns, proxy_opts, P_COUNT, path, v, warnings)) {
        st = cmn_err_set(err, GW_RL_NOMEM, "%s: out of memory", path);
        goto out;
    }
    rate = v[P_MAX_RATE].valid ? v[P_MAX_RATE].num : 0;
    if (v[P_EVERY].present) {
        /* no 1 s floor here, unlike the router; a negative period makes the rate negative */
        out->every_ns = v[P_EVERY].valid ? v[P_EVERY].ns : SECOND_NS;
        if (out->every_ns == 0) {
            if (rate > 0) {
                st = cmn_err_set(err, GW_RL_INVALID,
                                 "%s.every: must not be 0 (KrakenD divides by zero once the "
                                 "bucket is empty)",
                                 path);
                goto out;
            }
            cmn_warnf(warnings, "%s.every: 0; no rate limit", path);
            goto out;
        }
        factor = (double)SECOND_NS / (double)out->every_ns;
    }
    out->max_rate = rate * factor;
    out->on = out->max_rate > 0;
    if (!out->on && rate != 0)
        cmn_warnf(warnings, "%s: the rate per second is not positive; no rate limit", path);
    if (out->on)
        bucket_params(&out->bucket, out->max_rate,
                      v[P_CAPACITY].count ? v[P_CAPACITY].count : default_capacity(out->max_rate),
                      path, "max_rate", warnings);
out:
    free_vals(v, P_COUNT);
    return st;
}

/* ---- startup lines (§5.9) ---- */

void gw_rl_router_log_startup(enum gw_rl_status status, const struct gw_rl_router_config *c,
                              const char *endpoint)
{
    if (status == GW_RL_WRONG) {
        cmn_log_error("[ENDPOINT: %s][Ratelimit] wrong extra config", endpoint);
        return;
    }
    if (status != GW_RL_OK || !c)
        return;
    /* the endpoint limiter is built first, then the client limiter around it */
    if (c->endpoint_on)
        cmn_log_debug(
            "[ENDPOINT: %s][Ratelimit] Rate limit enabled. MaxRate: %f, Capacity: %" PRIu64,
            endpoint, c->max_rate, c->endpoint.capacity);
    if (c->client_max_rate <= 0)
        return;
    if (c->strategy == GW_RL_STRATEGY_NONE)
        cmn_log_warn("[ENDPOINT: %s][Ratelimit] Unknown strategy %s", endpoint, c->strategy_text);
    else
        cmn_log_debug("[ENDPOINT: %s][Ratelimit] Rate limit enabled. Strategy: %s (key: %s), "
                      "MaxRate: %f, Capacity: %" PRIu64,
                      endpoint, c->strategy_text, c->key, c->client_max_rate, c->client.capacity);
}

void gw_rl_proxy_log_startup(enum gw_rl_status status, const struct gw_rl_proxy_config *c,
                             const char *url_pattern)
{
    if (status == GW_RL_WRONG)
        cmn_log_error("[BACKEND: %s][Ratelimit] wrong extra config", url_pattern);
    else if (status == GW_RL_OK && c && c->on)
        cmn_log_debug("[BACKEND: %s][Ratelimit] Enabling the rate limiter", url_pattern);
}
