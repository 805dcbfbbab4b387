/* gw_telemetry.c - setup, spans and sampling, and the global, proxy and backend layers. The
 * backend request and payload layers are in gw_telemetry_rt.c. */
#include "gw_telemetry_int.h"

#include "cmn_clock.h"
#include "cmn_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- setup ---- */

static struct gw_span_attr sattr(const char *k, const char *v)
{
    struct gw_span_attr a;

    memset(&a, 0, sizeof(a));
    a.key = k;
    a.type = GW_SA_STR;
    a.v.s = v;
    a.n = (uint16_t)strlen(v);
    return a;
}

static size_t add_statics(struct gw_span_attr *a, size_t n, const struct gw_tel_kvs *kv)
{
    for (size_t i = 0; kv && i < kv->n && n < GW_SPAN_MAX_ATTRS - 1; i++)
        a[n++] = sattr(kv->items[i].key, kv->items[i].value);
    return n;
}

struct gw_telemetry *gw_telemetry_new(const struct gw_otel_config *cfg,
                                      const struct gw_telemetry_opts *o, struct cmn_err *err)
{
    struct gw_telemetry *t = calloc(1, sizeof(*t));

    if (!t || !cfg || !o || o->threads == 0 || o->threads > 4096 || !o->random.fill) {
        free(t);
        cmn_err_set(err, 1, "telemetry: bad options or out of memory");
        return NULL;
    }
    t->cfg = cfg;
    gw_tel_slots_init(&t->slots, o->threads);
    t->n_slots = o->threads + 1;
    t->spans_per_thread = o->spans_per_thread ? o->spans_per_thread : 4096;
    pthread_mutex_init(&t->bufs_mu, NULL);
    pthread_mutex_init(&t->bell_mu, NULL);
    cmn_clock_cond_init(&t->bell_cv);
    t->bell_at = t->spans_per_thread / 4 ? t->spans_per_thread / 4 : 1;
    t->rnd = o->random;
    t->traces_on = cfg->any_traces_exporter;
    t->global_traces = t->traces_on && !cfg->global.disable_traces;
    t->global_metrics = cfg->any_metrics_exporter && !cfg->global.disable_metrics;
    t->propagation =
        t->traces_on && !cfg->global.disable_propagation && cfg->propagate_tracecontext;
    t->baggage = t->traces_on && !cfg->global.disable_propagation && cfg->propagate_baggage;
    t->ratio = cfg->ratio_sampler;
    /* OpenTelemetry's TraceIDRatioBased: the low 63 bits of the id's second half under the bound */
    t->ratio_bound = (uint64_t)(cfg->trace_sample_rate * 9223372036854775808.0);
    if (cfg->any_metrics_exporter) {
        t->metrics = gw_otel_metrics_new(cfg, o->threads, o->metric_slots, o->start_unix_ns, err);
        if (!t->metrics)
            goto fail;
        t->shards = calloc(t->n_slots, sizeof(*t->shards));
        if (!t->shards)
            goto nomem;
        for (unsigned w = 0; w < t->n_slots; w++)
            t->shards[w] = gw_otel_metrics_shard(t->metrics, w);
    }
    {
        struct gw_span_attr a[GW_SPAN_MAX_ATTRS];
        size_t n = 0;
        a[n++] = sattr("krakend.stage", "global");
        n = add_statics(a, n, &cfg->global.traces_static);
        if (!gw_span_tmpl_init(&t->global_tmpl, a, n, cfg->global.traces_static.n > 0))
            goto nomem;
    }
    if (t->traces_on) { /* each slot's buffer is made when its thread first records */
        t->bufs = calloc(t->n_slots, sizeof(*t->bufs));
        if (!t->bufs)
            goto nomem;
    }
    return t;
nomem:
    cmn_err_set(err, 2, "telemetry: out of memory");
fail:
    gw_telemetry_destroy(t);
    return NULL;
}

void gw_telemetry_destroy(struct gw_telemetry *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_eps; i++) {
        gw_span_tmpl_free(&t->eps[i]->proxy_tmpl);
        gw_otel_endpoint_opts_free(&t->eps[i]->opts);
        free(t->eps[i]->route);
        free(t->eps[i]->method);
        free(t->eps[i]);
    }
    for (size_t i = 0; i < t->n_bes; i++) {
        gw_span_tmpl_free(&t->bes[i]->stage_tmpl);
        gw_span_tmpl_free(&t->bes[i]->rt_tmpl);
        gw_span_tmpl_free(&t->bes[i]->payload_tmpl);
        gw_otel_backend_eff_free(&t->bes[i]->eff);
        free(t->bes[i]->route);
        free(t->bes[i]->method);
        free(t->bes[i]);
    }
    free(t->eps);
    free(t->bes);
    if (t->bufs)
        for (unsigned w = 0; w < t->n_slots; w++)
            gw_span_buf_destroy(t->bufs[w]);
    free(t->bufs);
    pthread_mutex_destroy(&t->bufs_mu);
    pthread_mutex_destroy(&t->bell_mu);
    pthread_cond_destroy(&t->bell_cv);
    free(t->shards);
    gw_span_tmpl_free(&t->global_tmpl);
    gw_otel_metrics_destroy(t->metrics);
    free(t);
}

static bool keep(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void **na = realloc(*arr, nc * sizeof(*na));
        if (!na)
            return false;
        *arr = na;
        *cap = nc;
    }
    (*arr)[(*n)++] = p;
    return true;
}

struct gw_telemetry_endpoint *gw_telemetry_endpoint_new(struct gw_telemetry *t, const char *path,
                                                        const char *method, const json_t *block,
                                                        const char *json_path,
                                                        struct gw_tel_strs *warn)
{
    struct gw_telemetry_endpoint *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->route = gw_tel_endpoint_route(path);
    e->method = strdup(method);
    if (!e->route || !e->method || !keep((void ***)&t->eps, &t->n_eps, &t->cap_eps, e)) {
        free(e->route);
        free(e->method);
        free(e);
        return NULL;
    }
    e->route_len = strlen(e->route);
    e->method_len = strlen(e->method);
    if (!gw_otel_config_endpoint(t->cfg, e->route, block, json_path, &e->opts, warn))
        return NULL; /* e is freed with t */
    e->skip = e->opts.skip;
    e->proxy_span = t->traces_on && !e->skip && !e->opts.proxy.disable_traces;
    {
        struct gw_span_attr a[GW_SPAN_MAX_ATTRS];
        size_t n = 0;
        a[n++] = sattr("http.request.method", e->method);
        a[n++] = sattr("http.route", e->route);
        n = add_statics(a, n, &e->opts.proxy.traces_static);
        a[n++] = sattr("krakend.stage", "proxy");
        if (!gw_span_tmpl_init(&e->proxy_tmpl, a, n, e->opts.proxy.traces_static.n > 0))
            return NULL;
    }
    if (t->metrics) {
        e->m = gw_otel_metrics_endpoint_new(t->metrics, e->route, method, &e->opts);
        if (!e->m)
            return NULL;
    }
    return e;
}

struct gw_telemetry_backend *gw_telemetry_backend_new(struct gw_telemetry *t,
                                                      const struct gw_telemetry_endpoint *ep,
                                                      const char *url_pattern, const char *method,
                                                      const char *const *hosts, size_t n_hosts,
                                                      const json_t *block, const char *json_path,
                                                      struct gw_tel_strs *warn)
{
    struct gw_telemetry_backend *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->ep = ep;
    b->route = gw_otel_backend_route(url_pattern);
    b->method = strdup(method);
    if (!b->route || !b->method || !keep((void ***)&t->bes, &t->n_bes, &t->cap_bes, b)) {
        free(b->route);
        free(b->method);
        free(b);
        return NULL;
    }
    b->route_len = strlen(b->route);
    b->method_len = strlen(b->method);
    if (!gw_otel_config_backend(t->cfg, ep->route, block, json_path, &b->eff, warn))
        return NULL;
    {
        const struct gw_tel_kvs *st = &b->eff.opts.traces.static_attrs;
        struct gw_span_attr a[GW_SPAN_MAX_ATTRS];
        size_t n = 0;
        bool ok;
        a[n++] = sattr("http.request.method", b->method);
        a[n++] = sattr("http.route", b->route);
        a[n++] = sattr("krakend.endpoint.route", ep->route);
        a[n++] = sattr("krakend.endpoint.method", ep->method);
        n = add_statics(a, n, st);
        a[n++] = sattr("krakend.stage", "backend");
        ok = gw_span_tmpl_init(&b->stage_tmpl, a, n, st->n > 0);
        /* the request and payload spans: B, the stage, then the statics */
        n = 4;
        a[n++] = sattr("krakend.stage", "backend-request");
        n = add_statics(a, n, st);
        ok = ok && gw_span_tmpl_init(&b->payload_tmpl, a, n, st->n > 0);
        /* the request span sets the method it actually sends */
        ok = ok && gw_span_tmpl_init(&b->rt_tmpl, a + 1, n - 1, st->n > 0);
        if (!ok)
            return NULL;
    }
    b->stage_span = t->traces_on && b->eff.stage_traces;
    b->rt_span = t->traces_on && b->eff.rt_span;
    b->payload_span = t->traces_on && b->eff.payload_span;
    b->detailed_span = t->traces_on && b->eff.rt_detailed_span;
    b->report_headers = b->eff.opts.traces.report_headers;
    if (t->metrics) {
        b->m = gw_otel_metrics_backend_new(t->metrics, ep->m, url_pattern, method, &b->eff, hosts,
                                           n_hosts);
        if (!b->m)
            return NULL;
    }
    return b;
}

const struct gw_otel_config *gw_telemetry_config(const struct gw_telemetry *t)
{
    return t->cfg;
}

struct gw_otel_metrics *gw_telemetry_metrics(struct gw_telemetry *t)
{
    return t->metrics;
}

unsigned gw_telemetry_n_slots(const struct gw_telemetry *t)
{
    return t->n_slots;
}

unsigned gw_telemetry_slot(struct gw_telemetry *t)
{
    return gw_tel_slot(&t->slots);
}

struct gw_span_buf *gw_telemetry_spans(struct gw_telemetry *t, unsigned w)
{
    return t->bufs && w < t->n_slots ? __atomic_load_n(&t->bufs[w], __ATOMIC_ACQUIRE) : NULL;
}

/* Slot w's buffer, made on its first span (once per thread: the lock is off the usual path). */
static struct gw_span_buf *buf_of(struct gw_telemetry *t, unsigned w)
{
    struct gw_span_buf *b = __atomic_load_n(&t->bufs[w], __ATOMIC_ACQUIRE);

    if (b)
        return b;
    pthread_mutex_lock(&t->bufs_mu);
    b = t->bufs[w];
    if (!b) {
        b = gw_span_buf_new(t->spans_per_thread, w, w == t->n_slots - 1);
        __atomic_store_n(&t->bufs[w], b, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&t->bufs_mu);
    return b;
}

/* ---- spans ---- */

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void new_id(struct gw_telemetry *t, unsigned w, uint8_t *id, size_t n)
{
    /* all-zero ids are invalid: draw again (a 2^-64 event, bounded anyway) */
    for (int tries = 0; tries < 4; tries++) {
        t->rnd.fill(t->rnd.ctx, w, id, n);
        for (size_t i = 0; i < n; i++)
            if (id[i])
                return;
    }
    id[n - 1] = 1;
}

struct gw_span *gw_telemetry_span_start(struct gw_telemetry *t, unsigned w,
                                        const struct gw_telemetry_req *r,
                                        const struct gw_tctx *parent, struct gw_tctx *out,
                                        const char *name, size_t name_len, bool copy_name,
                                        enum gw_span_kind kind, int64_t now)
{
    bool has_parent = parent && parent->valid;
    struct gw_span *s;

    if (t->ratio && has_parent && !(parent->flags & GW_TRACE_FLAG_SAMPLED)) {
        /* parent-based: an unsampled parent's children are not recorded (nor propagated) */
        *out = *parent;
        out->remote = false;
        return NULL;
    }
    out->valid = true;
    out->remote = false;
    if (has_parent)
        memcpy(out->trace_id, parent->trace_id, 16);
    else
        new_id(t, w, out->trace_id, 16);
    new_id(t, w, out->span_id, 8);
    out->flags = GW_TRACE_FLAG_SAMPLED;
    if (t->ratio && !has_parent && (be64(out->trace_id + 8) >> 1) >= t->ratio_bound)
        out->flags = 0;
    if (!out->flags || !t->bufs || w >= t->n_slots)
        return NULL;
    s = buf_of(t, w) ? gw_span_alloc(t->bufs[w]) : NULL;
    if (!s)
        return NULL;
    memcpy(s->trace_id, out->trace_id, 16);
    memcpy(s->span_id, out->span_id, 8);
    if (has_parent) {
        memcpy(s->parent_id, parent->span_id, 8);
        s->has_parent = true;
        s->parent_remote = parent->remote;
    }
    s->kind = (uint8_t)kind;
    s->start_ns = now;
    s->name = copy_name ? gw_span_copy(s, name, name_len) : name;
    s->name_len = (uint16_t)(s->name ? name_len : 0);
    if (!s->name)
        s->name = "";
    /* the trace state travels with every span of the trace */
    if (r && r->remote.tracestate_len && gw_trace_ctx_valid(&r->remote) &&
        memcmp(r->remote.trace_id, out->trace_id, 16) == 0) {
        s->tracestate = gw_span_copy(s, r->remote.tracestate, r->remote.tracestate_len);
        s->tracestate_len = s->tracestate ? r->remote.tracestate_len : 0;
    }
    return s;
}

void gw_telemetry_span_end(struct gw_telemetry *t, unsigned w, struct gw_span *s, int64_t now)
{
    struct gw_span_buf *b = t->bufs[s->slot];

    s->end_ns = now;
    /* the owner's buffer, from whichever thread ends it */
    gw_span_finish(b, s, w == s->slot);
    /* A dozing exporter is woken once a buffer holds a quarter of its records. Without a fence
     * a ring may be missed for this span when the exporter starts dozing at this very moment;
     * the next span's end sees the flag, and gw_telemetry_doze looks at the buffers itself. */
    if (__atomic_load_n(&t->bell_idle, __ATOMIC_RELAXED) && gw_span_buf_pending(b) >= t->bell_at &&
        __atomic_exchange_n(&t->bell_idle, 0, __ATOMIC_ACQ_REL))
        gw_telemetry_wake(t);
}

static bool any_buffer_full(struct gw_telemetry *t)
{
    for (unsigned w = 0; t->bufs && w < t->n_slots; w++) {
        struct gw_span_buf *b = __atomic_load_n(&t->bufs[w], __ATOMIC_ACQUIRE);
        if (b && gw_span_buf_pending(b) >= t->bell_at)
            return true;
    }
    return false;
}

void gw_telemetry_doze(struct gw_telemetry *t, int64_t ms, bool deep)
{
    int64_t until = cmn_clock_mono_ms() + ms, left;

    pthread_mutex_lock(&t->bell_mu);
    if (deep) {
        __atomic_store_n(&t->bell_idle, 1, __ATOMIC_SEQ_CST);
        if (any_buffer_full(t))
            t->bell_rung = true;
    }
    while (!t->bell_rung && (left = until - cmn_clock_mono_ms()) > 0)
        cmn_clock_cond_wait_ms(&t->bell_cv, &t->bell_mu, left);
    t->bell_rung = false;
    if (deep) /* a short doze leaves the flag, on a line the workers read, alone */
        __atomic_store_n(&t->bell_idle, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&t->bell_mu);
}

void gw_telemetry_wake(struct gw_telemetry *t)
{
    pthread_mutex_lock(&t->bell_mu);
    t->bell_rung = true;
    pthread_cond_signal(&t->bell_cv);
    pthread_mutex_unlock(&t->bell_mu);
}

static const char *hname(const struct gw_tel_hdrs *h, size_t i)
{
    return h->kv ? h->kv[i].name : h->hd[i].name;
}

static const char *hvalue(const struct gw_tel_hdrs *h, size_t i)
{
    return h->kv ? h->kv[i].value : h->hd[i].value;
}

void gw_telemetry_headers(struct gw_span *s, bool response, const struct gw_tel_strs *skip,
                          struct gw_tel_hdrs h)
{
    uint8_t done[128] = {0};
    size_t n = h.n > 128 ? 128 : h.n;

    for (size_t i = 0; i < n; i++) {
        const char *vals[16], *name = hname(&h, i);
        size_t lens[16], nv = 0, kl, nl = strlen(name);
        char key[160];

        if (done[i] || !gw_otel_header_reported(skip, name, nl))
            continue;
        /* every value of the name, in order (Go's http.Header groups them) */
        for (size_t j = i; j < n; j++) {
            if (done[j] || strcasecmp(hname(&h, j), name) != 0)
                continue;
            done[j] = 1;
            if (nv < 16) {
                vals[nv] = hvalue(&h, j);
                lens[nv] = strlen(vals[nv]);
                nv++;
            }
        }
        kl = gw_otel_header_attr(key, sizeof(key), response, name, nl);
        if (kl)
            gw_span_set_strs(s, key, kl, vals, lens, nv);
        else
            s->dropped_attrs++;
    }
}

void gw_telemetry_statics(struct gw_span *s, const struct gw_tel_kvs *kv)
{
    /* the configuration outlives every span: its text is borrowed, not copied; a repeated key
     * is resolved when the span is encoded (the last value wins) */
    for (size_t i = 0; kv && i < kv->n; i++) {
        gw_span_add_static_n(s, kv->items[i].key, kv->items[i].value, strlen(kv->items[i].value));
        s->may_dup = true;
    }
}

void gw_telemetry_exception(struct gw_span *s, const char *text, int64_t now)
{
    struct gw_span_attr a[2];
    const char *msg = gw_span_copy(s, text, strlen(text));

    memset(a, 0, sizeof(a));
    a[0].key = "exception.type";
    a[0].type = GW_SA_STR;
    a[0].v.s = "*errors.errorString";
    a[0].n = (uint16_t)strlen(a[0].v.s);
    a[1].key = "exception.message";
    a[1].type = GW_SA_STR;
    a[1].v.s = msg ? msg : "";
    a[1].n = (uint16_t)(msg ? strlen(msg) : 0);
    gw_span_add_event(s, "exception", now, a, 2);
    gw_span_set_status(s, GW_SPAN_ERROR, text, strlen(text));
}

/* ---- global layer ---- */

static void extract(struct gw_telemetry *t, struct gw_telemetry_req *r,
                    const struct gw_telemetry_in *in)
{
    const char *tp = in->traceparent, *ts = in->tracestate, *bg = in->baggage;

    if (t->propagation) {
        if (tp && gw_traceparent_parse(tp, strlen(tp), &r->remote)) {
            if (ts)
                gw_tracestate_parse(ts, strlen(ts), &r->remote);
            memcpy(r->cur.trace_id, r->remote.trace_id, 16);
            memcpy(r->cur.span_id, r->remote.span_id, 8);
            r->cur.flags = r->remote.flags;
            r->cur.remote = r->cur.valid = true;
        }
    }
    if (t->baggage) {
        size_t a, l;
        if (bg && gw_baggage_valid(bg, strlen(bg), &a, &l)) {
            r->baggage = bg + a;
            r->baggage_len = l;
        }
    }
}

void gw_telemetry_begin(struct gw_telemetry *t, unsigned w, struct gw_telemetry_req *r,
                        const struct gw_telemetry_in *in, int64_t now)
{
    const struct gw_otel_config *c = t->cfg;
    struct gw_span *s;

    r->start_ns = now;
    r->span = NULL;
    r->ep = NULL;
    r->baggage = NULL;
    r->baggage_len = 0;
    memset(r->remote.trace_id, 0, sizeof(r->remote.trace_id));
    memset(r->remote.span_id, 0, sizeof(r->remote.span_id));
    r->remote.tracestate_len = 0;
    r->remote.tracestate[0] = '\0';
    memset(&r->cur, 0, sizeof(r->cur));
    r->method = (uint8_t)gw_otel_method_index(in->method, in->method_len);
    /* skip_paths at this layer: the raw path, exact match; nothing at all is done */
    r->skip = gw_otel_config_skips(c, in->path, in->path_len);
    if (r->skip)
        return;
    extract(t, r, in);
    if (!t->global_traces)
        return;
    {
        struct gw_tctx parent = r->cur;
        s = gw_telemetry_span_start(t, w, r, &parent, &r->cur, in->path, in->path_len, true,
                                    GW_SPAN_SERVER, now);
    }
    r->span = s;
    if (!s)
        return;
    gw_span_add_str(s, "url.full", in->target, in->target_len);
    gw_span_add_str(s, "server.address", in->host, in->host_len);
    gw_span_add_str(s, "http.request.method", in->method, in->method_len);
    if (in->content_length >= 0)
        gw_span_add_int(s, "http.request.body.size", in->content_length);
    if (in->user_agent_len)
        gw_span_add_str(s, "user_agent.original", in->user_agent, in->user_agent_len);
    if (in->client_addr_len)
        gw_span_add_str(s, "client.address", in->client_addr, in->client_addr_len);
    gw_span_use_tmpl(s, &t->global_tmpl); /* the stage and the global static attributes */
    if (c->global.report_headers)
        gw_telemetry_headers(s, false, &c->global.skip_headers, in->headers);
}

void gw_telemetry_route(struct gw_telemetry_req *r, const struct gw_telemetry_endpoint *ep)
{
    /* a skipped endpoint skips KrakenD's route tagger too: the route stays "<status> <text>" */
    if (!r->skip && ep && !ep->skip)
        r->ep = ep;
}

void gw_telemetry_end(struct gw_telemetry *t, unsigned w, struct gw_telemetry_req *r,
                      const struct gw_telemetry_out *out, int64_t now)
{
    int status = out->status ? out->status : 200;
    double secs = (double)(now - r->start_ns) / 1e9;
    struct gw_span *s = r->span;
    char route[64];
    const char *rt;

    if (r->skip)
        return;
    if (t->global_metrics)
        gw_otel_metrics_global(t->metrics, t->shards[w], r->ep ? r->ep->m : NULL,
                               (enum gw_otel_method)r->method, status, out->hijacked, secs,
                               out->bytes);
    if (!s)
        return;
    if (out->hijacked)
        gw_span_add_bool(s, "http.connection.hijacked", true);
    if (r->ep) {
        rt = NULL;
    } else if (out->hijacked) {
        rt = "Upgraded Connection";
    } else {
        snprintf(route, sizeof(route), "%d %s", status, cmn_http_reason((unsigned)status));
        rt = route;
    }
    if (r->ep)
        gw_span_add_static_n(s, "http.route", r->ep->route, r->ep->route_len);
    else
        gw_span_add_str(s, "http.route", rt, strlen(rt));
    gw_span_add_int(s, "http.response.status_code", status);
    gw_span_add_int(s, "http.response.body.size", out->bytes);
    if (r->ep)
        gw_telemetry_statics(s, &r->ep->opts.global_traces_static);
    if (t->cfg->global.report_headers)
        gw_telemetry_headers(s, true, &t->cfg->global.skip_headers, out->headers);
    if (out->write_error)
        gw_telemetry_exception(s, out->write_error, now);
    else
        gw_span_set_status(s, GW_SPAN_OK, NULL, 0);
    gw_telemetry_span_end(t, w, s, now);
    r->span = NULL;
}

/* ---- proxy and backend stages ---- */

static unsigned outcome(const struct gw_telemetry_result *res)
{
    return gw_otel_outcome(res->has_error, res->canceled, res->other_error,
                           res->has_response && res->complete);
}

/* KrakenD's middlewareTracer.end */
static void stage_end(struct gw_telemetry *t, unsigned w, struct gw_span *s, bool report,
                      const struct gw_tel_strs *skip, const struct gw_telemetry_result *res,
                      int64_t now)
{
    if (res->has_error) {
        if (res->canceled)
            gw_span_add_bool(s, "canceled", true);
        else
            gw_span_add_str(s, "error", res->error_text ? res->error_text : "",
                            res->error_text ? strlen(res->error_text) : 0);
        gw_span_add_int(s, "http.response.status_code", 500);
    } else if (res->has_response) {
        gw_span_add_int(s, "http.response.status_code", res->status);
        if (report)
            gw_telemetry_headers(s, true, skip, res->headers);
    }
    gw_span_add_bool(s, "complete", res->has_response && res->complete);
    gw_telemetry_span_end(t, w, s, now);
}

void gw_telemetry_proxy_begin(struct gw_telemetry *t, unsigned w, const struct gw_telemetry_req *r,
                              const struct gw_telemetry_endpoint *ep, struct gw_telemetry_stage *st,
                              struct gw_tel_hdrs headers, int64_t now)
{
    const struct gw_otel_proxy_opts *p = &ep->opts.proxy;
    struct gw_span *s;

    st->req = r;
    st->start_ns = now;
    st->span = NULL;
    st->ctx = r->cur;
    if (!ep->proxy_span)
        return;
    s = gw_telemetry_span_start(t, w, r, &r->cur, &st->ctx, ep->route, ep->route_len, false,
                                GW_SPAN_INTERNAL, now);
    st->span = s;
    if (!s)
        return;
    gw_span_use_tmpl(s, &ep->proxy_tmpl);
    if (p->report_headers)
        gw_telemetry_headers(s, false, &p->skip_headers, headers);
}

void gw_telemetry_proxy_end(struct gw_telemetry *t, unsigned w,
                            const struct gw_telemetry_endpoint *ep, struct gw_telemetry_stage *st,
                            const struct gw_telemetry_result *res, int64_t now)
{
    if (ep->skip)
        return;
    if (ep->m)
        gw_otel_metrics_proxy(t->shards[w], ep->m, outcome(res),
                              (double)(now - st->start_ns) / 1e9);
    if (st->span) {
        stage_end(t, w, st->span, ep->opts.proxy.report_headers, &ep->opts.proxy.skip_headers, res,
                  now);
        st->span = NULL;
    }
}

void gw_telemetry_backend_begin(struct gw_telemetry *t, unsigned w,
                                const struct gw_telemetry_stage *parent,
                                const struct gw_telemetry_req *r,
                                const struct gw_telemetry_backend *be,
                                struct gw_telemetry_stage *st, struct gw_tel_hdrs headers,
                                int64_t now)
{
    const struct gw_tctx *pc = parent ? &parent->ctx : &r->cur;
    struct gw_span *s;

    st->req = r;
    st->start_ns = now;
    st->span = NULL;
    st->ctx = *pc;
    if (!be->stage_span)
        return;
    s = gw_telemetry_span_start(t, w, r, pc, &st->ctx, be->route, be->route_len, false,
                                GW_SPAN_INTERNAL, now);
    st->span = s;
    if (!s)
        return;
    gw_span_use_tmpl(s, &be->stage_tmpl);
    if (be->report_headers)
        gw_telemetry_headers(s, false, &be->eff.opts.traces.skip_headers, headers);
}

void gw_telemetry_backend_end(struct gw_telemetry *t, unsigned w,
                              const struct gw_telemetry_backend *be, struct gw_telemetry_stage *st,
                              const struct gw_telemetry_result *res, int64_t now)
{
    if (be->eff.skip)
        return;
    if (be->m)
        gw_otel_metrics_backend(t->shards[w], be->m, outcome(res),
                                (double)(now - st->start_ns) / 1e9);
    if (st->span) {
        stage_end(t, w, st->span, be->report_headers, &be->eff.opts.traces.skip_headers, res, now);
        st->span = NULL;
    }
}
