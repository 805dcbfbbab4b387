/* gw_otel_module.c - telemetry/opentelemetry on the router's and the proxy's seams: the
 * service's life, the global layer and route tagger (gw_mw.h), the proxy layer (gw_pstage.h)
 * and the backend layer with its round trip (a backend stage, gw_stage.h). */
#include "gw_otel_module.h"

#include "cmn_log.h"
#include "cmn_str.h"
#include "gw_otlp_export.h"
#include "gw_telemetry.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* One endpoint's runtime and, after it, its backends'. */
struct ep_rt {
    struct gw_telemetry_endpoint *te;
    struct gw_telemetry_backend **tb; /* per backend */
};

/* The module's one instance: made by start(), read by the factories and the hooks. */
static struct {
    const struct gw_config *cfg; /* the configuration the runtime was made for */
    struct gw_otel_config *oc;
    struct gw_otel_random *rnd;
    struct gw_telemetry *t;
    struct gw_otlp_exporter *otlp;
    struct gw_prom_servers *prom;
    struct ep_rt *eps; /* per endpoint of cfg */
    bool on;           /* something records: metrics or spans */
    char pipe_key;     /* the proxy layer's request value (its address is the key) */
} g;

/* Unix nanoseconds: span times; durations are taken from them too (one clock read a hook). */
static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void log_warn(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_warn("%s", msg);
}

/* ---- configuration -------------------------------------------------------------------------- */

/* OTEL_* variables and the defaults of service.name/version: read here, at the edge. */
static void env_of(const struct gw_config *cfg, struct gw_otel_config_env *env)
{
    memset(env, 0, sizeof(*env));
    env->root_name = cfg->name;
    env->gateway_version = GW_VERSION;
    env->otel_service_name = getenv("OTEL_SERVICE_NAME");
    env->otel_resource_attributes = getenv("OTEL_RESOURCE_ATTRIBUTES");
    env->otlp_headers = getenv("OTEL_EXPORTER_OTLP_HEADERS");
    env->otlp_timeout_ms = getenv("OTEL_EXPORTER_OTLP_TIMEOUT");
    env->otlp_compression = getenv("OTEL_EXPORTER_OTLP_COMPRESSION");
    env->otlp_protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL");
    env->propagators = getenv("OTEL_PROPAGATORS");
}

static const json_t *block_of(const json_t *extra)
{
    return extra ? json_object_get(extra, GW_OTEL_NAMESPACE) : NULL;
}

/* Parses the service block; *out NULL when absent or refused (then said through warn). */
static bool parse(const struct gw_config *cfg, struct gw_otel_config **out,
                  void (*warn)(void *, const char *), void *ctx, struct cmn_err *err)
{
    struct gw_otel_config_env env;
    struct cmn_err e = {0};
    char msg[1024];

    env_of(cfg, &env);
    switch (gw_otel_config_parse(block_of(cfg->extra_config), &env, out, &e)) {
    case GW_OTEL_CONFIG_OK:
        for (size_t i = 0; i < (*out)->warnings.n; i++) {
            snprintf(msg, sizeof(msg), "[SERVICE: OpenTelemetry] extra_config.%s.%s",
                     GW_OTEL_NAMESPACE, (*out)->warnings.items[i]);
            warn(ctx, msg);
        }
        return true;
    case GW_OTEL_CONFIG_ABSENT:
        return true;
    case GW_OTEL_CONFIG_INVALID:
        /* KrakenD logs it at ERROR and runs without OpenTelemetry */
        snprintf(
            msg, sizeof(msg), "[SERVICE: OpenTelemetry] %s%s: OpenTelemetry is disabled",
            strncmp(e.msg, "cannot register", 15) == 0 ? "" : "cannot register exporters: ", e.msg);
        warn(ctx, msg);
        return true;
    default:
        cmn_err_set(err, 1, "telemetry/opentelemetry: %s", e.msg);
        return false;
    }
}

bool gw_otel_module_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                          void *ctx, struct cmn_err *err)
{
    struct gw_otel_config *oc = NULL;
    struct gw_tel_strs w = {0};
    bool ok = true;

    if (!parse(cfg, &oc, warn, ctx, err))
        return false;
    for (size_t e = 0; oc && ok && e < cfg->n_endpoints; e++) {
        const struct gw_endpoint *ep = &cfg->endpoints[e];
        struct gw_otel_endpoint_opts eo;
        char *route = gw_tel_endpoint_route(ep->path);
        ok = route &&
             gw_otel_config_endpoint(oc, route, block_of(ep->extra_config), ep->json_path, &eo, &w);
        if (ok)
            gw_otel_endpoint_opts_free(&eo);
        for (size_t b = 0; ok && b < ep->n_backends; b++) {
            struct gw_otel_backend_eff be;
            ok = gw_otel_config_backend(oc, route, block_of(ep->backends[b].extra_config),
                                        ep->backends[b].json_path, &be, &w);
            if (ok)
                gw_otel_backend_eff_free(&be);
        }
        free(route);
    }
    for (size_t i = 0; i < w.n; i++)
        warn(ctx, w.items[i]);
    gw_tel_strs_free(&w);
    gw_otel_config_free(oc);
    if (!ok)
        cmn_err_set(err, 1, "telemetry/opentelemetry: out of memory");
    return ok;
}

/* ---- start and stop ------------------------------------------------------------------------- */

/* Threads that get a recording slot of their own: the server's workers (one per CPU) and a few
 * more (the validator's thread, curl's). */
static unsigned thread_slots(void)
{
    cpu_set_t set;
    int n = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = CPU_COUNT(&set);
    return (unsigned)(n < 1 ? 1 : n > 64 ? 64 : n) + 4;
}

static void export_error(void *ctx, const char *msg)
{
    (void)ctx;
    cmn_log_error("%s", msg);
}

static bool make_endpoints(const struct gw_config *cfg, struct gw_tel_strs *w)
{
    g.eps = calloc(cfg->n_endpoints ? cfg->n_endpoints : 1, sizeof(*g.eps));
    if (!g.eps)
        return false;
    for (size_t e = 0; e < cfg->n_endpoints; e++) {
        const struct gw_endpoint *ep = &cfg->endpoints[e];
        struct ep_rt *r = &g.eps[e];
        r->te = gw_telemetry_endpoint_new(g.t, ep->path, ep->method, block_of(ep->extra_config),
                                          ep->json_path, w);
        r->tb = calloc(ep->n_backends ? ep->n_backends : 1, sizeof(*r->tb));
        if (!r->te || !r->tb)
            return false;
        for (size_t b = 0; b < ep->n_backends; b++) {
            const struct gw_backend *be = &ep->backends[b];
            r->tb[b] = gw_telemetry_backend_new(g.t, r->te, be->url_pattern, be->method,
                                                (const char *const *)be->hosts.items, be->hosts.n,
                                                block_of(be->extra_config), be->json_path, w);
            if (!r->tb[b])
                return false;
        }
    }
    return true;
}

bool gw_otel_module_start(const struct gw_config *cfg, struct cmn_err *err)
{
    struct gw_telemetry_opts o = {0};
    struct gw_otlp_export_opts xo = {0};
    struct gw_tel_strs w = {0};
    unsigned threads = thread_slots();

    memset(&g, 0, sizeof(g));
    if (!parse(cfg, &g.oc, log_warn, NULL, err))
        return false;
    if (!g.oc)
        return true; /* absent or refused: no OpenTelemetry */
    g.cfg = cfg;
    g.on = g.oc->any_metrics_exporter || g.oc->any_traces_exporter;
    g.rnd = gw_otel_random_xoshiro_new(threads + 1, NULL);
    if (!g.rnd)
        goto nomem;
    o.threads = threads;
    o.start_unix_ns = now_ns();
    o.random = *g.rnd;
    g.t = gw_telemetry_new(g.oc, &o, err);
    if (!g.t)
        goto fail;
    if (!make_endpoints(cfg, &w))
        goto nomem;
    for (size_t i = 0; i < w.n; i++)
        cmn_log_warn("[SERVICE: OpenTelemetry] %s", w.items[i]);
    gw_tel_strs_free(&w);
    xo.on_error = export_error;
    g.otlp = gw_otlp_export_start(g.t, &xo, err);
    if (!g.otlp && err->code)
        goto fail;
    g.prom = gw_prom_servers_start(g.t, g.oc);
    return true;
nomem:
    cmn_err_set(err, 1, "telemetry/opentelemetry: out of memory");
fail:
    gw_tel_strs_free(&w);
    gw_otel_module_stop();
    return false;
}

void gw_otel_module_stop(void)
{
    struct gw_otlp_export_stats st;

    gw_prom_servers_stop(g.prom);
    gw_otlp_export_stop(g.otlp, &st); /* flushes what the workers finished */
    if (g.otlp)
        cmn_log_info("[SERVICE: OpenTelemetry] OTLP export: %llu spans sent in %llu bodies, "
                     "%llu spans dropped (%llu bodies the collector refused or the queue had no "
                     "room for, %llu spans not recorded: the exporter was behind)",
                     (unsigned long long)st.spans_sent, (unsigned long long)st.bodies_sent,
                     (unsigned long long)(st.spans_dropped + st.spans_not_recorded),
                     (unsigned long long)(st.bodies_failed + st.bodies_dropped),
                     (unsigned long long)st.spans_not_recorded);
    for (size_t e = 0; g.eps && g.cfg && e < g.cfg->n_endpoints; e++)
        free(g.eps[e].tb);
    free(g.eps);
    gw_telemetry_destroy(g.t);
    gw_otel_random_xoshiro_free(g.rnd);
    gw_otel_config_free(g.oc);
    memset(&g, 0, sizeof(g));
}

/* The runtime of an endpoint / backend of the started configuration, or NULL. */
static struct ep_rt *ep_of(const struct gw_config *cfg, const struct gw_endpoint *ep)
{
    if (!g.on || cfg != g.cfg || !ep || ep < cfg->endpoints ||
        ep >= cfg->endpoints + cfg->n_endpoints)
        return NULL;
    return &g.eps[ep - cfg->endpoints];
}

/* ---- the global layer and the route tagger (router middlewares) ---------------------------- */

/* What the global layer keeps for one request; the proxy and backend layers find it through
 * the request's values (the route tagger puts it there). */
struct greq {
    struct gw_telemetry_req r;
};

/* "ip:port" (IPv6 in brackets), as Go's RemoteAddr, without printf (every request pays it). */
static size_t client_addr(const char *ip, unsigned port, char *out, size_t cap)
{
    size_t n = strlen(ip), at = 0;
    char digits[8];
    int nd = 0;
    bool v6 = memchr(ip, ':', n) != NULL;

    if (n + 10 > cap)
        return 0;
    if (v6)
        out[at++] = '[';
    memcpy(out + at, ip, n);
    at += n;
    if (v6)
        out[at++] = ']';
    out[at++] = ':';
    do {
        digits[nd++] = (char)('0' + port % 10);
        port /= 10;
    } while (port && nd < 8);
    while (nd)
        out[at++] = digits[--nd];
    out[at] = '\0';
    return at;
}

/* The headers the global layer reads, in one pass over the request's. */
static void scan(const struct cmn_http_request *h, struct gw_telemetry_in *in, const char **cl)
{
    for (size_t i = 0; i < h->n_headers; i++) {
        const char *n = h->headers[i].name, *v = h->headers[i].value;
        switch (n[0] | 0x20) {
        case 'u':
            if (!in->user_agent && cmn_str_eq_nocase(n, "User-Agent"))
                in->user_agent = v;
            break;
        case 'c':
            if (!*cl && cmn_str_eq_nocase(n, "Content-Length"))
                *cl = v;
            break;
        case 'h':
            if (!in->host && cmn_str_eq_nocase(n, "Host"))
                in->host = v;
            break;
        case 't':
            if (!in->traceparent && cmn_str_eq_nocase(n, "traceparent"))
                in->traceparent = v;
            else if (!in->tracestate && cmn_str_eq_nocase(n, "tracestate"))
                in->tracestate = v;
            break;
        case 'b':
            if (!in->baggage && cmn_str_eq_nocase(n, "baggage"))
                in->baggage = v;
            break;
        default:
            break;
        }
    }
}

static enum gw_mw_verdict global_request(void *ctx, const struct gw_mw_request *rq,
                                         struct gw_mw_out *out)
{
    const struct cmn_http_request *h = rq->http;
    struct gw_telemetry_in in;
    struct greq *gr;
    const char *cl = NULL;
    char client[80];
    uint64_t len;
    size_t pl = strlen(rq->path);

    (void)ctx;
    /* skip_paths at this layer: the raw path, nothing at all is done */
    if (gw_otel_config_skips(g.oc, rq->path, pl))
        return GW_MW_NEXT;
    gr = malloc(sizeof(*gr));
    if (!gr)
        return GW_MW_NEXT; /* not measured: the request goes on */
    memset(&in, 0, sizeof(in));
    scan(h, &in, &cl);
    if (h->authority)
        in.host = h->authority; /* absolute-form: the URL's host, as in Go */
    in.method = h->method;
    in.method_len = strlen(h->method);
    in.path = rq->path;
    in.path_len = pl;
    in.target = h->target;
    in.target_len = strlen(h->target);
    in.host_len = in.host ? strlen(in.host) : 0;
    in.user_agent_len = in.user_agent ? strlen(in.user_agent) : 0;
    in.client_addr = client;
    in.client_addr_len =
        client_addr(h->remote_ip ? h->remote_ip : "", h->remote_port, client, sizeof(client));
    /* Go's ContentLength: the header's value; -1 for a chunked body; 0 without one */
    in.content_length = cl && cmn_str_parse_digits(cl, strlen(cl), 19, &len) ? (int64_t)len
                        : h->has_body                                        ? -1
                                                                             : 0;
    in.headers = gw_tel_hdrs_of_kv(h->headers, h->n_headers);
    gw_telemetry_begin(g.t, gw_telemetry_slot(g.t), &gr->r, &in, now_ns());
    *out->state = gr;
    return GW_MW_NEXT;
}

static void global_done(void *ctx, void *state, const struct gw_mw_request *rq,
                        struct cmn_http_response *resp)
{
    struct greq *gr = state;
    struct gw_telemetry_out o = {0};

    (void)ctx;
    (void)rq;
    if (!gr)
        return;
    if (resp) {
        o.status = (int)resp->status;
        o.bytes = (int64_t)resp->body_len;
        o.headers = gw_tel_hdrs_of_kv(resp->headers, resp->n_headers);
    } else {
        o.write_error = "the connection was closed without an answer";
    }
    gw_telemetry_end(g.t, gw_telemetry_slot(g.t), &gr->r, &o, now_ns());
    free(gr);
}

/* otelgin's route tagger: the request reached this endpoint's handler. */
static enum gw_mw_verdict route_request(void *ctx, const struct gw_mw_request *rq,
                                        struct gw_mw_out *out)
{
    struct ep_rt *r = ctx;
    struct greq *gr = gw_mw_state_of(rq, &g);

    (void)out;
    if (gr) {
        gw_telemetry_route(&gr->r, r->te);
        gw_inreq_set_value(rq->in, &g, gr);
    }
    return GW_MW_NEXT;
}

static bool build_mw(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                     struct gw_mw *mw, struct cmn_err *err)
{
    struct ep_rt *r;

    (void)ctx;
    (void)err;
    if (!ep) {
        if (g.on && cfg == g.cfg)
            *mw = (struct gw_mw){.name = "telemetry/opentelemetry",
                                 .slot = GW_MW_OUTER,
                                 .ctx = &g,
                                 .request = global_request,
                                 .done = global_done};
        return true;
    }
    r = ep_of(cfg, ep);
    if (r)
        *mw = (struct gw_mw){.name = "telemetry/opentelemetry",
                             .slot = GW_MW_ENDPOINT,
                             .ctx = r,
                             .request = route_request};
    return true;
}

const struct gw_mw_factory gw_otel_mw_factory = {"telemetry/opentelemetry", NULL, build_mw};

/* ---- the proxy layer (a proxy stage) --------------------------------------------------------- */

static enum gw_stage_verdict pipe_before(void *ctx, struct gw_pstage_call *call,
                                         struct gw_perr *err)
{
    struct ep_rt *r = ctx;
    struct greq *gr = gw_inreq_value(call->in, &g);
    struct gw_telemetry_stage *st;

    (void)err;
    if (!gr || !(st = malloc(sizeof(*st))))
        return GW_STAGE_NEXT;
    gw_telemetry_proxy_begin(g.t, gw_telemetry_slot(g.t), &gr->r, r->te, st,
                             gw_tel_hdrs_of(&call->in->headers), now_ns());
    gw_inreq_set_value(call->in, &g.pipe_key, st);
    call->state = st;
    return GW_STAGE_NEXT;
}

/* Lura's mergeError text: the errors one per line. */
static void error_text(const struct gw_pipe_err *err, char *buf, size_t cap)
{
    size_t at = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < err->n && at + 1 < cap; i++) {
        int n = snprintf(buf + at, cap - at, "%s%s", i ? "\n" : "",
                         err->errs[i].msg ? err->errs[i].msg : "");
        if (n < 0)
            break;
        at += (size_t)n;
    }
}

static void pipe_after(void *ctx, struct gw_pstage_call *call, struct gw_presp **resp,
                       const struct gw_pipe_err *err, struct gw_perr *fail)
{
    struct ep_rt *r = ctx;
    struct gw_telemetry_stage *st = call->state;
    struct gw_telemetry_result res = {0};
    char text[1024];

    (void)fail; /* measures the outcome, never changes it */
    if (!st)
        return;
    if (err->n) {
        error_text(err, text, sizeof(text));
        res.has_error = true;
        res.other_error = true;
        res.error_text = text;
    }
    if (*resp) {
        res.has_response = true;
        res.complete = (*resp)->complete;
        res.status = (int)(*resp)->status;
        res.headers = gw_tel_hdrs_of(&(*resp)->headers);
    }
    gw_telemetry_proxy_end(g.t, gw_telemetry_slot(g.t), r->te, st, &res, now_ns());
    free(st);
    call->state = NULL;
}

/* Cancelled (shutdown) before the pipe answered: KrakenD's context cancellation. */
static void pipe_end(void *ctx, struct gw_pstage_call *call)
{
    struct ep_rt *r = ctx;
    struct gw_telemetry_stage *st = call->state;
    struct gw_telemetry_result res = {0};

    if (!st)
        return;
    res.has_error = res.canceled = true;
    res.error_text = "context canceled";
    gw_telemetry_proxy_end(g.t, gw_telemetry_slot(g.t), r->te, st, &res, now_ns());
    free(st);
    call->state = NULL;
}

static bool build_pipe(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                       struct gw_pstage *st, struct cmn_err *err)
{
    struct ep_rt *r = ep_of(cfg, ep);

    (void)ctx;
    (void)err;
    if (r)
        *st = (struct gw_pstage){
            "telemetry/opentelemetry", r, pipe_before, pipe_after, pipe_end, NULL};
    return true;
}

const struct gw_pstage_factory gw_otel_pipe_factory = {"telemetry/opentelemetry", NULL, build_pipe};

/* ---- the backend layer and its round trip (a backend stage) --------------------------------- */

struct battempt {
    struct gw_telemetry_stage st; /* the backend stage span and histogram */
    struct gw_telemetry_rt rt;    /* the HTTP round trip */
    bool rt_started, stage_ended;
};

static enum gw_stage_verdict backend_before(void *ctx, struct gw_stage_call *call,
                                            struct gw_perr *err)
{
    struct gw_telemetry_backend *tb = ctx;
    struct greq *gr = gw_inreq_value(call->in, &g);
    struct gw_telemetry_stage *parent = gw_inreq_value(call->in, &g.pipe_key);
    struct battempt *a;

    (void)err;
    if (!gr || !(a = calloc(1, sizeof(*a))))
        return GW_STAGE_NEXT;
    gw_telemetry_backend_begin(g.t, gw_telemetry_slot(g.t), parent, &gr->r, tb, &a->st,
                               gw_tel_hdrs_of(&call->in->headers), now_ns());
    a->rt.req = &gr->r;
    call->state = a;
    return GW_STAGE_NEXT;
}

/* The host of url among the backend's hosts (round-trip metrics are per host). */
static size_t host_index(const struct gw_backend *b, const char *url)
{
    for (size_t i = 0; i < b->hosts.n; i++) {
        size_t l = strlen(b->hosts.items[i]);
        if (strncmp(url, b->hosts.items[i], l) == 0 && (url[l] == '/' || url[l] == '?' || !url[l]))
            return i;
    }
    return 0;
}

/* "host[:port]" of an absolute URL into out (cut to fit). */
static size_t authority(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    size_t n;

    h = h ? h + 3 : url;
    n = strcspn(h, "/?#");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, h, n);
    out[n] = '\0';
    return n;
}

/* Replaces every value of name by v[0, n). */
static void set_header(struct gw_hdrs *h, const char *name, const char *v, size_t n)
{
    gw_hdrs_del(h, name);
    gw_hdrs_add_n(h, name, strlen(name), v, n);
}

static enum gw_stage_verdict backend_http(void *ctx, struct gw_stage_call *call,
                                          struct gw_fetch_result **res, struct gw_perr *err)
{
    struct gw_telemetry_backend *tb = ctx;
    struct battempt *a = call->state;
    struct gw_telemetry_client_req cr;
    struct gw_telemetry_inject inj;
    struct gw_outreq *o = call->out;
    const char *ua;
    char host[256];

    (void)res;
    (void)err;
    if (!a || a->rt_started)
        return GW_STAGE_NEXT;
    a->rt_started = true;
    ua = gw_hdrs_get(&o->headers, "User-Agent");
    memset(&cr, 0, sizeof(cr));
    cr.host_port_len = authority(o->url, host, sizeof(host));
    cr.host = host_index(call->backend, o->url);
    cr.method = o->method;
    cr.method_len = strlen(o->method);
    cr.url = o->url;
    cr.url_len = strlen(o->url);
    cr.host_port = host;
    cr.user_agent = ua;
    cr.user_agent_len = ua ? strlen(ua) : 0;
    /* Go's ContentLength: the body's size, -1 when it goes chunked */
    cr.content_length = o->body_len == 0 ? 0 : o->content_length ? (int64_t)o->body_len : -1;
    cr.headers = gw_tel_hdrs_of(&o->headers);
    gw_telemetry_rt_begin(g.t, gw_telemetry_slot(g.t), &a->st, a->rt.req, tb, &a->rt, &cr, &inj,
                          now_ns());
    /* the trace context the backend sees (each only when the span records, §3.10) */
    if (inj.traceparent_len)
        set_header(&o->headers, "Traceparent", inj.traceparent, inj.traceparent_len);
    if (inj.tracestate_len)
        set_header(&o->headers, "Tracestate", inj.tracestate, inj.tracestate_len);
    if (inj.baggage_len)
        set_header(&o->headers, "Baggage", inj.baggage, inj.baggage_len);
    return GW_STAGE_NEXT;
}

static void backend_http_response(void *ctx, struct gw_stage_call *call,
                                  struct gw_fetch_result *res)
{
    struct gw_telemetry_backend *tb = ctx;
    struct battempt *a = call->state;
    struct gw_telemetry_client_resp cr;
    const char *cl;
    int64_t now = now_ns();

    if (!a || !a->rt_started)
        return;
    memset(&cr, 0, sizeof(cr));
    if (res->error || res->status == 0) {
        cr.error = res->error && strstr(res->error, "context deadline exceeded")
                       ? GW_OTEL_RT_TIMEDOUT
                       : GW_OTEL_RT_FAILED;
        cr.error_text = res->error ? res->error : "request failed";
    } else {
        uint64_t len;
        cl = gw_hdrs_get(&res->headers, "Content-Length");
        cr.status = (int)res->status;
        cr.content_length =
            cl && cmn_str_parse_digits(cl, strlen(cl), 19, &len) ? (int64_t)len : -1;
        cr.headers = gw_tel_hdrs_of(&res->headers);
    }
    gw_telemetry_rt_end(g.t, gw_telemetry_slot(g.t), tb, &a->rt, &cr, now);
    /* the whole body is read before the answer reaches the stages: its reading time is not
     * known apart from the round trip's (0 s here, docs/metrics.md) */
    if (!cr.error)
        gw_telemetry_payload_end(g.t, gw_telemetry_slot(g.t), tb, &a->rt, (int64_t)res->body_len,
                                 now, NULL, now);
}

static void backend_after(void *ctx, struct gw_stage_call *call, struct gw_presp **resp,
                          struct gw_perr *err, bool *has_err)
{
    struct gw_telemetry_backend *tb = ctx;
    struct battempt *a = call->state;
    struct gw_telemetry_result res = {0};

    if (!a)
        return;
    if (*has_err) {
        res.has_error = true;
        res.error_text = err->msg ? err->msg : "";
    }
    if (*resp) {
        res.has_response = true;
        res.complete = (*resp)->complete;
        res.status = (int)(*resp)->status;
        res.headers = gw_tel_hdrs_of(&(*resp)->headers);
    }
    gw_telemetry_backend_end(g.t, gw_telemetry_slot(g.t), tb, &a->st, &res, now_ns());
    a->stage_ended = true;
}

/* The attempt is over; when it was cancelled (another attempt won, or shutdown) its round trip
 * and stage end as KrakenD's cancelled context. */
static void backend_end(void *ctx, struct gw_stage_call *call)
{
    struct gw_telemetry_backend *tb = ctx;
    struct battempt *a = call->state;
    int64_t now;

    if (!a)
        return;
    now = now_ns();
    if (a->rt_started && !a->rt.done) {
        struct gw_telemetry_client_resp cr = {.error = GW_OTEL_RT_CANCELED,
                                              .error_text = "context canceled"};
        gw_telemetry_rt_end(g.t, gw_telemetry_slot(g.t), tb, &a->rt, &cr, now);
    }
    if (!a->stage_ended) {
        struct gw_telemetry_result res = {
            .has_error = true, .canceled = true, .error_text = "context canceled"};
        gw_telemetry_backend_end(g.t, gw_telemetry_slot(g.t), tb, &a->st, &res, now);
    }
    free(a);
    call->state = NULL;
}

static bool build_stage(void *ctx, const struct gw_config *cfg, const struct gw_endpoint *ep,
                        const struct gw_backend *b, struct gw_stage *st, struct cmn_err *err)
{
    struct ep_rt *r = ep_of(cfg, ep);

    (void)ctx;
    (void)err;
    if (!r || b < ep->backends || b >= ep->backends + ep->n_backends)
        return true;
    *st = (struct gw_stage){
        "telemetry/opentelemetry", r->tb[b - ep->backends], backend_before, backend_http,
        backend_http_response,     backend_after,           backend_end,    NULL};
    return true;
}

const struct gw_stage_factory gw_otel_backend_factory = {"telemetry/opentelemetry", NULL,
                                                         build_stage};
