/* gw_telemetry_rt.c - the backend request (round trip) and payload layers, trace propagation
 * to the backends, and the default id generator. */
#include "gw_telemetry_int.h"

#include "cmn_rand.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void gw_telemetry_rt_begin(struct gw_telemetry *t, unsigned w,
                           const struct gw_telemetry_stage *backend_stage,
                           const struct gw_telemetry_req *r, const struct gw_telemetry_backend *be,
                           struct gw_telemetry_rt *rt, const struct gw_telemetry_client_req *cr,
                           struct gw_telemetry_inject *inj, int64_t now)
{
    const struct gw_tctx *pc = backend_stage ? &backend_stage->ctx : &r->cur;
    int m;
    struct gw_span *s;

    inj->traceparent_len = inj->tracestate_len = inj->baggage_len = 0;
    inj->traceparent[0] = '\0';
    inj->tracestate = inj->baggage = NULL;
    rt->req = r;
    rt->start_ns = now;
    rt->span = NULL;
    rt->ctx = *pc;
    rt->done = false;
    if (!be->rt_span && !be->m)
        return;
    m = (int)gw_otel_method_index(cr->method, cr->method_len);
    rt->host = cr->host;
    rt->method = m == GW_OTEL_M_OTHER ? -1 : m;
    rt->req_content_length = cr->content_length;
    rt->head = m == GW_OTEL_M_HEAD;
    if (!be->rt_span)
        return;
    s = gw_telemetry_span_start(t, w, r, pc, &rt->ctx, be->route, be->route_len, false,
                                GW_SPAN_CLIENT, now);
    rt->span = s;
    if (!s)
        return; /* not recording: nothing is injected (§3.10) */
    /* B (but the method), the stage, the statics; then what this request is */
    gw_span_use_tmpl(s, &be->rt_tmpl);
    gw_span_add_str(s, "url.full", cr->url, cr->url_len);
    gw_span_add_str(s, "server.address", cr->host_port, cr->host_port_len);
    gw_span_add_str(s, "http.request.method", cr->method, cr->method_len);
    if (cr->content_length >= 0)
        gw_span_add_int(s, "http.request.body.size", cr->content_length);
    if (cr->user_agent_len)
        gw_span_add_str(s, "user_agent.original", cr->user_agent, cr->user_agent_len);
    if (be->report_headers)
        gw_telemetry_headers(s, false, &be->eff.opts.traces.skip_headers, cr->headers);
    /* the backend sees this span as its parent */
    if (t->cfg->propagate_tracecontext) {
        struct gw_trace_ctx c;
        memcpy(c.trace_id, rt->ctx.trace_id, 16);
        memcpy(c.span_id, rt->ctx.span_id, 8);
        c.flags = rt->ctx.flags;
        inj->traceparent_len = gw_traceparent_format(&c, inj->traceparent);
        if (s->tracestate_len) {
            inj->tracestate = r->remote.tracestate;
            inj->tracestate_len = r->remote.tracestate_len;
        }
    }
    if (t->cfg->propagate_baggage && r->baggage_len) {
        inj->baggage = r->baggage;
        inj->baggage_len = r->baggage_len;
    }
}

void gw_telemetry_rt_end(struct gw_telemetry *t, unsigned w, const struct gw_telemetry_backend *be,
                         struct gw_telemetry_rt *rt, const struct gw_telemetry_client_resp *resp,
                         int64_t now)
{
    struct gw_span *s = rt->span;
    double secs = (double)(now - rt->start_ns) / 1e9;

    if (rt->done)
        return;
    rt->done = true;
    if (be->m) {
        struct gw_otel_rt m = {rt->host,
                               rt->method,
                               resp->error,
                               resp->status,
                               rt->req_content_length,
                               resp->content_length,
                               rt->head,
                               secs,
                               resp->get_conn,
                               resp->dns,
                               resp->tls};
        gw_otel_metrics_roundtrip(t->shards[w], be->m, &m);
    }
    if (!s)
        return;
    if (resp->error) {
        gw_telemetry_exception(s, resp->error_text ? resp->error_text : "request failed", now);
    } else {
        gw_span_add_int(s, "http.response.status_code", resp->status);
        gw_span_add_int(s, "http.response.body.size", resp->content_length);
        if (be->report_headers)
            gw_telemetry_headers(s, true, &be->eff.opts.traces.skip_headers, resp->headers);
        gw_span_add_double(s, "response-duration", secs);
        if (be->detailed_span) {
            gw_span_add_double(s, "get-conn-duration", resp->get_conn);
            gw_span_add_double(s, "dns-duration", resp->dns);
            gw_span_add_double(s, "tls-duration", resp->tls);
            gw_span_add_event(s, "first-byte-time", resp->first_byte_ns ? resp->first_byte_ns : now,
                              NULL, 0);
        }
        gw_span_set_status(s, GW_SPAN_OK, NULL, 0);
    }
    /* the payload span, if any, needs this span's context: keep rt->ctx, drop the pointer */
    gw_telemetry_span_end(t, w, s, now);
    rt->span = NULL;
}

void gw_telemetry_payload_end(struct gw_telemetry *t, unsigned w,
                              const struct gw_telemetry_backend *be,
                              const struct gw_telemetry_rt *rt, int64_t bytes,
                              int64_t first_read_ns, const char *read_error, int64_t now)
{
    double secs = (double)(now - (first_read_ns ? first_read_ns : now)) / 1e9;
    struct gw_tctx out;
    struct gw_span *s;

    if (be->m)
        gw_otel_metrics_payload(t->shards[w], be->m, bytes, secs, read_error != NULL);
    /* child of the backend request span; only when that one was recorded */
    if (!be->payload_span || !rt->ctx.valid || !(rt->ctx.flags & GW_TRACE_FLAG_SAMPLED) ||
        !be->rt_span)
        return;
    s = gw_telemetry_span_start(t, w, rt->req, &rt->ctx, &out, "http.client.response.read.tracker",
                                32, false, GW_SPAN_INTERNAL, first_read_ns ? first_read_ns : now);
    if (!s)
        return;
    gw_span_use_tmpl(s, &be->payload_tmpl);
    gw_span_add_int(s, "http.client.response.read.size", bytes);
    gw_span_add_double(s, "http.client.response.read.time", secs);
    if (read_error)
        gw_telemetry_exception(s, read_error, now);
    else
        gw_span_set_status(s, GW_SPAN_OK, NULL, 0);
    gw_telemetry_span_end(t, w, s, now);
}

/* ---- the default id generator: xoshiro256** per slot ---- */

struct xo {
    struct gw_otel_random r;
    unsigned n;
    pthread_mutex_t shared_mu; /* the last slot's state */
    struct {
        uint64_t s[4];
        char pad[32];
    } * st;
};

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(uint64_t *s)
{
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static void fill(uint64_t *s, uint8_t *buf, size_t n)
{
    if (n == 8 || n == 16) { /* span and trace ids */
        uint64_t v = next(s);
        memcpy(buf, &v, 8);
        if (n == 16) {
            v = next(s);
            memcpy(buf + 8, &v, 8);
        }
        return;
    }
    while (n) {
        uint64_t v = next(s);
        size_t k = n < 8 ? n : 8;
        memcpy(buf, &v, k);
        buf += k;
        n -= k;
    }
}

static void xo_fill(void *ctx, unsigned w, uint8_t *buf, size_t n)
{
    struct xo *x = ctx;

    if (w + 1 < x->n) {
        fill(x->st[w].s, buf, n);
        return;
    }
    pthread_mutex_lock(&x->shared_mu);
    fill(x->st[x->n - 1].s, buf, n);
    pthread_mutex_unlock(&x->shared_mu);
}

/* splitmix64, to spread a 32-byte seed over the workers */
static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct gw_otel_random *gw_otel_random_xoshiro_new(unsigned n_slots, const uint8_t *seed32)
{
    struct xo *x = calloc(1, sizeof(*x));
    uint8_t seed[32];
    uint64_t acc = 0;

    if (!x || n_slots == 0)
        goto fail;
    pthread_mutex_init(&x->shared_mu, NULL);
    x->st = calloc(n_slots, sizeof(*x->st));
    if (!x->st)
        goto fail;
    if (seed32)
        memcpy(seed, seed32, 32);
    else if (!cmn_rand_bytes(seed, 32))
        goto fail;
    for (int i = 0; i < 32; i++)
        acc = acc * 131 + seed[i];
    for (unsigned w = 0; w < n_slots; w++) {
        uint64_t base = acc ^ ((uint64_t)w << 32);
        for (int i = 0; i < 4; i++) {
            uint64_t part;
            memcpy(&part, seed + 8 * i, 8);
            x->st[w].s[i] = mix(&base) ^ part;
        }
    }
    x->n = n_slots;
    x->r.fill = xo_fill;
    x->r.ctx = x;
    return &x->r;
fail:
    if (x)
        free(x->st);
    free(x);
    return NULL;
}

void gw_otel_random_xoshiro_free(struct gw_otel_random *r)
{
    struct xo *x = (struct xo *)r;

    if (!x)
        return;
    pthread_mutex_destroy(&x->shared_mu);
    free(x->st);
    free(x);
}
