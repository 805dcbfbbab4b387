/* gw_stats_module.c - telemetry/metrics on the gateway's seams: the collector, its tick, the
 * /__stats listener (gin's answers around one route) and the telemetry/influx pusher. */
#include "gw_stats_module.h"

#include "cmn_clock.h"
#include "cmn_http.h"
#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_influx.h"
#include "gw_process.h"
#include "gw_stats.h"
#include "gw_tel.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATS_BODY_CAP (64u << 20)

struct ep_rt {
    struct gw_stats_endpoint *se;
    struct gw_stats_backend **sb; /* per backend */
};

static struct {
    const struct gw_config *cfg;
    struct gw_stats_config sc;
    struct gw_stats *s;
    struct gw_tel_slots slots;
    struct ep_rt *eps;
    struct cmn_http_server *http; /* /__stats */
    char **argv;                  /* the process' command line, for "cmdline" */
    size_t argc;
    /* the tick and the Influx pusher */
    pthread_t tick, push;
    bool tick_on, push_on, stopping;
    pthread_cond_t cv;
    bool influx;
    struct gw_influx_config ic;
    struct gw_stats_snapshot last; /* the latest tick's snapshot (under mu) */
    bool have_last;
} S;

static pthread_mutex_t S_mu = PTHREAD_MUTEX_INITIALIZER; /* S.stopping, S.last */

static const json_t *ns_block(const struct gw_config *cfg, const char *canonical)
{
    return cfg->extra_config ? json_object_get(cfg->extra_config, canonical) : NULL;
}

static int64_t mono_ns(void)
{
    return (int64_t)cmn_clock_mono_us() * 1000;
}

/* ---- configuration -------------------------------------------------------------------------- */

bool gw_stats_module_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                           void *ctx, struct cmn_err *err)
{
    const json_t *mb = ns_block(cfg, GW_STATS_NAMESPACE), *ib = ns_block(cfg, GW_INFLUX_NAMESPACE);
    struct gw_stats_config sc;
    struct gw_influx_config ic;
    struct cmn_err e = {0};

    (void)err;
    if (mb) {
        if (gw_stats_config_parse(mb, &sc, &e)) {
            for (size_t i = 0; i < sc.warnings.n; i++)
                warn(ctx, sc.warnings.items[i]);
            gw_stats_config_free(&sc);
        } else {
            warn(ctx, e.msg);
        }
    }
    if (ib) {
        e = (struct cmn_err){0};
        if (!mb)
            warn(ctx, "extra_config.telemetry/influx: it pushes telemetry/metrics' figures, "
                      "which is not configured: nothing is sent");
        else if (gw_influx_config_parse(ib, &ic, &e)) {
            for (size_t i = 0; i < ic.warnings.n; i++)
                warn(ctx, ic.warnings.items[i]);
            gw_influx_config_free(&ic);
        } else {
            warn(ctx, e.msg);
        }
    }
    return true;
}

/* ---- the tick, the Influx pusher ------------------------------------------------------------ */

/* Best-effort values for the Go runtime's keys (krakend.service.*). */
static void runtime_of(struct gw_stats_runtime *rt)
{
    struct gw_process_stats ps;

    memset(rt, 0, sizeof(*rt));
    if (gw_process_collect(gw_process_proc_reader(), &ps) && ps.have_stat) {
        rt->sys = rt->heap_sys = (int64_t)ps.rss;
        rt->num_thread = (int64_t)ps.num_threads;
    }
}

/* Waits up to ns unless stopping; true when stopping. */
static bool wait_or_stop(int64_t ns)
{
    bool stop;

    pthread_mutex_lock(&S_mu);
    if (!S.stopping)
        cmn_clock_cond_wait_ms(&S.cv, &S_mu, ns / 1000000);
    stop = S.stopping;
    pthread_mutex_unlock(&S_mu);
    return stop;
}

static void *tick_main(void *arg)
{
    (void)arg;
    while (!wait_or_stop(S.sc.collection_ns)) {
        struct gw_stats_runtime rt;
        struct gw_stats_snapshot snap = {0};
        runtime_of(&rt);
        if (!gw_stats_tick(S.s, &rt, cmn_clock_unix(), S.influx ? &snap : NULL))
            continue;
        if (S.influx) {
            pthread_mutex_lock(&S_mu);
            if (S.have_last)
                gw_stats_snapshot_free(&S.last);
            S.last = snap;
            S.have_last = true;
            pthread_mutex_unlock(&S_mu);
        }
    }
    return NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* One request to the InfluxDB server; false with why set. */
static bool influx_call(const char *url, const char *body, size_t len, char *why, size_t cap)
{
    CURL *c = curl_easy_init();
    CURLcode rc;
    long code = 0;

    if (!c)
        return snprintf(why, cap, "out of memory"), false;
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (S.ic.username) {
        curl_easy_setopt(c, CURLOPT_USERNAME, S.ic.username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, S.ic.password ? S.ic.password : "");
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L); /* the client's 10 s */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)65536);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        return snprintf(why, cap, "%s", curl_easy_strerror(rc)), false;
    if (code < 200 || code > 299)
        return snprintf(why, cap, "HTTP status %ld", code), false;
    return true;
}

static void *push_main(void *arg)
{
    struct gw_influx *st = gw_influx_new();
    char *url = gw_influx_write_url(&S.ic), host[256] = "localhost", why[256];
    struct cmn_buf ping;

    (void)arg;
    gethostname(host, sizeof(host));
    cmn_buf_init(&ping, 8192);
    cmn_buf_printf(&ping, "%s/ping", S.ic.address);
    if (!influx_call(cmn_buf_str(&ping), NULL, 0, why, sizeof(why)))
        cmn_log_warn("[SERVICE: InfluxDB] Unable to ping the InfluxDB server: %s", why);
    cmn_buf_free(&ping);
    while (st && url && !wait_or_stop(S.ic.ttl_ns)) {
        struct cmn_buf body;
        bool skipped = false, ok;
        cmn_buf_init(&body, 64u << 20);
        pthread_mutex_lock(&S_mu);
        ok = S.have_last && gw_influx_body(st, &S.last, host, &body, &skipped);
        pthread_mutex_unlock(&S_mu);
        if (ok && !skipped && !influx_call(url, cmn_buf_str(&body), body.len, why, sizeof(why)))
            cmn_log_error("[SERVICE: InfluxDB] Couldn't write to server: %s", why);
        cmn_buf_free(&body);
    }
    free(url);
    gw_influx_destroy(st);
    return NULL;
}

/* ---- /__stats ------------------------------------------------------------------------------- */

static struct cmn_http_response *text(unsigned status, const char *body)
{
    return cmn_http_response_text(status, "text/plain", body, strlen(body));
}

/* gin's engine around the one route: 301 for the trailing slash, 405, 404 (§2.4). */
static void stats_handle(void *ctx, struct cmn_http_exchange *ex,
                         const struct cmn_http_request *req)
{
    struct cmn_http_response *r;
    struct cmn_buf b;
    char *body;
    size_t len;

    (void)ctx;
    if (strcmp(req->path, "/__stats/") == 0) {
        r = cmn_http_response_new(strcmp(req->method, "GET") == 0 ? 301 : 307);
        if (r)
            cmn_http_response_add_header(r, "Location", "/__stats");
        cmn_http_exchange_respond(ex, r);
        return;
    }
    if (strcmp(req->path, GW_STATS_PATH) != 0) {
        cmn_http_exchange_respond(ex, text(404, "404 page not found"));
        return;
    }
    if (strcmp(req->method, "GET") != 0) {
        cmn_http_exchange_respond(ex, text(405, "405 method not allowed"));
        return;
    }
    cmn_buf_init(&b, STATS_BODY_CAP);
    body = gw_stats_render(S.s, (const char *const *)S.argv, S.argc, NULL, &b)
               ? cmn_buf_take(&b, &len)
               : NULL;
    cmn_buf_free(&b);
    r = body ? cmn_http_response_new(200) : NULL;
    if (!r) {
        free(body);
        cmn_http_exchange_respond(ex, NULL);
        return;
    }
    cmn_http_response_add_header(r, "Content-Type", GW_STATS_CONTENT_TYPE);
    cmn_http_response_take_body(r, body, len);
    cmn_http_exchange_respond(ex, r);
}

/* ":8090" / "host:port" as Go's net.Listen takes it. */
static bool stats_listen(const char *addr, struct cmn_err *err)
{
    struct cmn_http_server_opts o = {0};
    char host[256];
    const char *colon = strrchr(addr, ':');
    long long port;

    if (!colon || !cmn_parse_ll(colon + 1, 0, 65535, &port)) {
        cmn_err_set(err, 1, "listen tcp: address %s: missing port in address", addr);
        return false;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    o.bind = host;
    o.port = (unsigned)port;
    o.threads = 1;
    o.max_connections = 64;
    o.head_timeout_ms = 3000; /* the stats server's ReadHeaderTimeout */
    o.handler = stats_handle;
    S.http = cmn_http_server_start(&o, err);
    return S.http != NULL;
}

/* The process' argv from /proc (KrakenD's "cmdline"). */
static void read_cmdline(void)
{
    char buf[8192];
    FILE *f = fopen("/proc/self/cmdline", "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
        char **v = realloc(S.argv, (S.argc + 1) * sizeof(*v));
        if (!v)
            return;
        S.argv = v;
        if (!(S.argv[S.argc] = strdup(buf + i)))
            return;
        S.argc++;
    }
}

/* ---- start and stop ------------------------------------------------------------------------- */

static unsigned thread_slots(void)
{
    cpu_set_t set;
    int n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    return (unsigned)(n < 1 ? 1 : n > 64 ? 64 : n) + 4;
}

static bool make_endpoints(const struct gw_config *cfg)
{
    S.eps = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*S.eps));
    if (!S.eps)
        return false;
    for (size_t e = 0; e < cfg->n_endpoints; e++) {
        const struct gw_endpoint *ep = &cfg->endpoints[e];
        char *route = gw_tel_endpoint_route(ep->path);
        S.eps[e].se = route ? gw_stats_endpoint_new(S.s, route) : NULL;
        free(route);
        S.eps[e].sb = calloc(ep->n_backends ? ep->n_backends : 1, sizeof(*S.eps[e].sb));
        if (!S.eps[e].se || !S.eps[e].sb)
            return false;
        for (size_t b = 0; b < ep->n_backends; b++) {
            char *name = gw_stats_backend_name(ep->backends[b].url_pattern);
            S.eps[e].sb[b] = name ? gw_stats_backend_new(S.s, name) : NULL;
            free(name);
            if (!S.eps[e].sb[b])
                return false;
        }
    }
    return true;
}

bool gw_stats_module_start(const struct gw_config *cfg, struct cmn_err *err)
{
    const json_t *mb = ns_block(cfg, GW_STATS_NAMESPACE), *ib = ns_block(cfg, GW_INFLUX_NAMESPACE);
    struct cmn_err e = {0};
    unsigned threads = thread_slots();
    uint64_t seed = (uint64_t)cmn_clock_unix_ms() ^ (uint64_t)getpid() << 32;

    gw_stats_module_stop();
    if (!mb)
        return true;
    if (!gw_stats_config_parse(mb, &S.sc, &e)) {
        cmn_log_warn("%s", e.msg);
        return true;
    }
    for (size_t i = 0; i < S.sc.warnings.n; i++)
        cmn_log_warn("%s", S.sc.warnings.items[i]);
    gw_tel_slots_init(&S.slots, threads);
    S.s = gw_stats_new(&S.sc, threads, seed, err);
    if (!S.s || !make_endpoints(cfg))
        goto nomem;
    S.cfg = cfg;
    read_cmdline();
    cmn_clock_cond_init(&S.cv);
    if (ib) {
        e = (struct cmn_err){0};
        if (gw_influx_config_parse(ib, &S.ic, &e)) {
            for (size_t i = 0; i < S.ic.warnings.n; i++)
                cmn_log_warn("%s", S.ic.warnings.items[i]);
            S.influx = true;
        } else {
            cmn_log_error("%s", e.msg);
        }
    }
    S.tick_on = pthread_create(&S.tick, NULL, tick_main, NULL) == 0;
    if (S.influx)
        S.push_on = pthread_create(&S.push, NULL, push_main, NULL) == 0;
    if (!S.sc.endpoint_disabled) {
        e = (struct cmn_err){0};
        if (stats_listen(S.sc.listen_address, &e))
            cmn_log_debug("[SERVICE: Stats] The endpoint /__stats is now available on %s",
                          S.sc.listen_address);
        else /* KrakenD logs it and keeps running */
            cmn_log_error("[SERVICE: Stats] %s", e.msg);
    }
    return true;
nomem:
    if (!err->code)
        cmn_err_set(err, 1, "telemetry/metrics: out of memory");
    gw_stats_module_stop();
    return false;
}

void gw_stats_module_stop(void)
{
    pthread_mutex_lock(&S_mu);
    S.stopping = true;
    if (S.tick_on || S.push_on)
        pthread_cond_broadcast(&S.cv);
    pthread_mutex_unlock(&S_mu);
    if (S.tick_on)
        pthread_join(S.tick, NULL);
    if (S.push_on)
        pthread_join(S.push, NULL);
    if (S.http) {
        cmn_log_info("[SERVICE: Stats] Shutting down the metrics endpoint handler");
        cmn_http_server_stop(S.http, 1000); /* the 1 s budget */
    }
    if (S.tick_on || S.push_on)
        pthread_cond_destroy(&S.cv);
    for (size_t e = 0; S.eps && S.cfg && e < S.cfg->n_endpoints; e++)
        free(S.eps[e].sb);
    free(S.eps);
    for (size_t i = 0; i < S.argc; i++)
        free(S.argv[i]);
    free(S.argv);
    if (S.have_last)
        gw_stats_snapshot_free(&S.last);
    gw_influx_config_free(&S.ic);
    gw_stats_config_free(&S.sc);
    gw_stats_destroy(S.s);
    memset(&S, 0, sizeof(S));
}

static struct ep_rt *ep_of(const struct gw_config *cfg, const struct gw_endpoint *ep)
{
    if (!S.s || cfg != S.cfg || !ep || ep < cfg->endpoints ||
        ep >= cfg->endpoints + cfg->n_endpoints)
        return NULL;
    return &S.eps[ep - cfg->endpoints];
}

/* ---- the layers ----------------------------------------------------------------------------- */

/* A hook's state here is the monotonic time its layer started (never 0): no allocation. */
static void *start_state(void)
{
    return (void *)(uintptr_t)mono_ns();
}

static int64_t since(void *state)
{
    int64_t d = mono_ns() - (int64_t)(uintptr_t)state;

    return d > 0 ? d : 0;
}

static enum gw_mw_verdict router_request(void *ctx, const struct gw_mw_request *rq,
                                         struct gw_mw_out *out)
{
    (void)ctx;
    (void)rq;
    gw_stats_router_begin(S.s, gw_tel_slot(&S.slots));
    *out->state = start_state();
    return GW_MW_NEXT;
}

static void router_done(void *ctx, void *state, const struct gw_mw_request *rq,
                        struct cmn_http_response *resp)
{
    struct ep_rt *r = ctx;

    (void)rq;
    gw_stats_router_end(S.s, gw_tel_slot(&S.slots), r->se, resp ? (int)resp->status : 200,
                        resp ? (int64_t)resp->body_len : 0, since(state));
}

static bool build_mw(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_mw *mw, struct cmn_err *err)
{
    struct ep_rt *r = ep_of(cfg, ep);

    (void)ctx;
    (void)err;
    if (r)
        *mw = (struct gw_mw){.name = "telemetry/metrics",
                             .slot = GW_MW_ENDPOINT,
                             .ctx = r,
                             .request = router_request,
                             .done = router_done};
    return true;
}

const struct gw_mw_factory gw_stats_mw_factory = {"telemetry/metrics", NULL, build_mw};

static enum gw_stage_verdict pipe_before(void *ctx, struct gw_pstage_call *call,
                                         struct gw_perr *err)
{
    (void)ctx;
    (void)err;
    call->state = start_state();
    return GW_STAGE_NEXT;
}

static void pipe_after(void *ctx, struct gw_pstage_call *call, struct gw_presp **resp,
                       const struct gw_pipe_err *err, struct gw_perr *fail)
{
    struct ep_rt *r = ctx;

    (void)fail; /* measures the outcome, never changes it */
    gw_stats_pipe(S.s, gw_tel_slot(&S.slots), r->se, *resp && (*resp)->complete, err->n > 0,
                  since(call->state));
}

static bool build_pipe(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                       struct gw_pstage *st, struct cmn_err *err)
{
    struct ep_rt *r = ep_of(cfg, ep);

    (void)ctx;
    (void)err;
    if (r && !S.sc.proxy_disabled)
        *st = (struct gw_pstage){"telemetry/metrics", r, pipe_before, pipe_after, NULL, NULL};
    return true;
}

const struct gw_pstage_factory gw_stats_pipe_factory = {"telemetry/metrics", NULL, build_pipe};

static enum gw_stage_verdict backend_before(void *ctx, struct gw_stage_call *call,
                                            struct gw_perr *err)
{
    (void)ctx;
    (void)err;
    call->state = start_state();
    return GW_STAGE_NEXT;
}

static void backend_after(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                          struct gw_perr *err, bool *has_err)
{
    (void)err;
    gw_stats_backend(S.s, gw_tel_slot(&S.slots), ctx, *resp && (*resp)->complete, *has_err,
                     since(call->state));
}

static bool build_stage(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    struct ep_rt *r = ep_of(cfg, ep);

    (void)ctx;
    (void)err;
    if (r && !S.sc.backend_disabled && b >= ep->backends && b < ep->backends + ep->n_backends)
        *st = (struct gw_stage){"telemetry/metrics",
                                r->sb[b - ep->backends],
                                backend_before,
                                NULL,
                                NULL,
                                backend_after,
                                NULL,
                                NULL};
    return true;
}

const struct gw_stage_factory gw_stats_backend_factory = {"telemetry/metrics", NULL, build_stage};
