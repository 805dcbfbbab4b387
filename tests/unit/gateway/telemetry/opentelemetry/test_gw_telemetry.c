/* test_gw_telemetry.c - the hook points end to end: spans (names, kinds, parents, attributes of
 * spec §3.9), propagation and sampling (§3.10), skip_paths, report_headers, errors, and the
 * metrics recorded on the way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_prom.h"
#include "gw_telemetry.h"

#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
#define OTLP                                                                                       \
    "\"exporters\":{\"otlp\":[{\"name\":\"c\",\"use_http\":true,\"port\":4318}],"                  \
    "\"prometheus\":[{\"name\":\"p\"}]}"

/* Deterministic ids: a counter, or a fixed pattern when `fixed` is set. */
struct det {
    uint64_t n;
    int fixed; /* 0 = counter, else every byte is this value */
};

static void det_fill(void *ctx, unsigned w, uint8_t *buf, size_t len)
{
    struct det *d = ctx;

    (void)w;
    for (size_t i = 0; i < len; i++)
        buf[i] = d->fixed ? (uint8_t)d->fixed : (uint8_t)(++d->n * 37 + i);
}

struct fx {
    struct gw_otel_config *cfg;
    struct gw_telemetry *t;
    struct gw_telemetry_endpoint *ep;
    struct gw_telemetry_backend *be;
    struct gw_tel_strs warn;
    struct det det;
    struct gw_span *spans[64];
    size_t n;
};

static void fx_init(struct fx *f, const char *otel_json, unsigned spans)
{
    struct cmn_err err = {0};
    struct gw_otel_config_env env = {0};
    struct gw_telemetry_opts o = {0};
    json_t *j = json_loads(otel_json, 0, NULL);
    const char *hosts[] = {"http://127.0.0.1:8081"};

    memset(f, 0, sizeof(*f));
    env.gateway_version = "2.13.8";
    assert_non_null(j);
    assert_int_equal(gw_otel_config_parse(j, &env, &f->cfg, &err), GW_OTEL_CONFIG_OK);
    json_decref(j);
    o.threads = 1;
    o.spans_per_thread = spans;
    o.start_unix_ns = 1;
    o.random.fill = det_fill;
    o.random.ctx = &f->det;
    f->t = gw_telemetry_new(f->cfg, &o, &err);
    assert_non_null(f->t);
    f->ep = gw_telemetry_endpoint_new(f->t, "/users/{id}", "GET", NULL, "endpoints[0]", &f->warn);
    assert_non_null(f->ep);
    f->be = gw_telemetry_backend_new(f->t, f->ep, "/api/users/{id}", "GET", hosts, 1, NULL,
                                     "endpoints[0].backend[0]", &f->warn);
    assert_non_null(f->be);
}

static void fx_release(struct fx *f)
{
    for (size_t i = 0; i < f->n; i++)
        gw_span_buf_release(gw_telemetry_spans(f->t, 0), f->spans[i]);
    f->n = 0;
}

static void fx_free(struct fx *f)
{
    fx_release(f);
    gw_telemetry_destroy(f->t);
    gw_otel_config_free(f->cfg);
    gw_tel_strs_free(&f->warn);
}

static void drain(struct fx *f)
{
    struct gw_span_buf *b = gw_telemetry_spans(f->t, 0);

    if (b)
        f->n += gw_span_buf_drain(b, f->spans + f->n, 64 - f->n);
}

static const struct gw_span *by_name(struct fx *f, const char *name, int kind)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->spans[i]->name, name) == 0 && (!kind || f->spans[i]->kind == kind))
            return f->spans[i];
    return NULL;
}

/* The attribute as exported: template and own attributes, repeated keys resolved. */
static const struct gw_span_attr *attr(const struct gw_span *s, const char *key)
{
    const struct gw_span_attr *all[GW_SPAN_MAX_ALL_ATTRS];
    size_t n = gw_span_attrs(s, all, GW_SPAN_MAX_ALL_ATTRS);

    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->key, key) == 0)
            return all[i];
    return NULL;
}

static void want_str(const struct gw_span *s, const char *key, const char *v)
{
    const struct gw_span_attr *a = attr(s, key);

    if (!a)
        fail_msg("span %s has no %s", s->name, key);
    assert_int_equal(a->type, GW_SA_STR);
    assert_int_equal(a->n, strlen(v));
    if (memcmp(a->v.s, v, a->n) != 0)
        fail_msg("span %s: %s = \"%.*s\", want \"%s\"", s->name, key, a->n, a->v.s, v);
}

static void want_int(const struct gw_span *s, const char *key, int64_t v)
{
    const struct gw_span_attr *a = attr(s, key);

    if (!a)
        fail_msg("span %s has no %s", s->name, key);
    assert_int_equal(a->type, GW_SA_INT);
    assert_int_equal(a->v.i, v);
}

static void want_bool(const struct gw_span *s, const char *key, bool v)
{
    const struct gw_span_attr *a = attr(s, key);

    if (!a)
        fail_msg("span %s has no %s", s->name, key);
    assert_int_equal(a->type, GW_SA_BOOL);
    assert_int_equal(a->v.b, v);
}

/* A whole request with a backend call; the values the spans should show. */
struct run {
    const char *path;
    const char *h[8][2]; /* the request's headers: name, value */
    size_t nh;
    bool route;
    struct gw_telemetry_inject inj;
    struct gw_telemetry_req r;
    const char *rt_error;
    const char *proxy_error;
    bool proxy_cancel;
};

static void run(struct fx *f, struct run *x)
{
    struct gw_telemetry_in in = {0};
    struct gw_telemetry_stage ps, bs;
    struct gw_telemetry_rt rt;
    struct gw_telemetry_client_req cr = {0};
    struct gw_telemetry_client_resp resp = {0};
    struct gw_telemetry_result res = {0};
    struct gw_telemetry_out out = {0};
    struct gw_hdrs hl, rh;
    int64_t t0 = 1700000000000000000LL;

    gw_hdrs_init(&hl, 0);
    gw_hdrs_init(&rh, 0);
    for (size_t i = 0; i < x->nh; i++) {
        const char *n = x->h[i][0], *v = x->h[i][1];
        gw_hdrs_add(&hl, n, v);
        /* the first value of each propagation header, as the module's scan finds them */
        if (!in.traceparent && strcasecmp(n, "traceparent") == 0)
            in.traceparent = v;
        else if (!in.tracestate && strcasecmp(n, "tracestate") == 0)
            in.tracestate = v;
        else if (!in.baggage && strcasecmp(n, "baggage") == 0)
            in.baggage = v;
    }
    gw_hdrs_add(&rh, "Content-Type", "application/json");

    in.method = "GET";
    in.method_len = 3;
    in.path = x->path ? x->path : "/users/42";
    in.path_len = strlen(in.path);
    in.target = "/users/42?x=1";
    in.target_len = 13;
    in.host = "gw:8080";
    in.host_len = 7;
    in.user_agent = "curl/8";
    in.user_agent_len = 6;
    in.client_addr = "10.0.0.1:5555";
    in.client_addr_len = 13;
    in.content_length = 0;
    in.headers = gw_tel_hdrs_of(&hl);
    gw_telemetry_begin(f->t, 0, &x->r, &in, t0);
    if (x->route)
        gw_telemetry_route(&x->r, f->ep);
    gw_telemetry_proxy_begin(f->t, 0, &x->r, f->ep, &ps, gw_tel_hdrs_of(&hl), t0 + 1000);
    gw_telemetry_backend_begin(f->t, 0, &ps, &x->r, f->be, &bs, gw_tel_hdrs_of(NULL), t0 + 2000);
    cr.method = "GET";
    cr.method_len = 3;
    cr.url = "http://127.0.0.1:8081/api/users/42";
    cr.url_len = strlen(cr.url);
    cr.host_port = "127.0.0.1:8081";
    cr.host_port_len = 14;
    cr.content_length = 0;
    gw_telemetry_rt_begin(f->t, 0, &bs, &x->r, f->be, &rt, &cr, &x->inj, t0 + 3000);
    if (x->rt_error) {
        resp.error = GW_OTEL_RT_TIMEDOUT;
        resp.error_text = x->rt_error;
    } else {
        resp.status = 200;
        resp.content_length = 42;
        resp.headers = gw_tel_hdrs_of(&rh);
        resp.first_byte_ns = t0 + 4000;
    }
    gw_telemetry_rt_end(f->t, 0, f->be, &rt, &resp, t0 + 5000000);
    if (!x->rt_error)
        gw_telemetry_payload_end(f->t, 0, f->be, &rt, 42, t0 + 5000000, NULL, t0 + 5100000);
    res.has_response = !x->rt_error;
    res.complete = !x->rt_error;
    res.has_error = x->rt_error != NULL;
    res.error_text = x->rt_error;
    gw_telemetry_backend_end(f->t, 0, f->be, &bs, &res, t0 + 6000000);
    if (x->proxy_error || x->proxy_cancel) {
        res.has_error = true;
        res.canceled = x->proxy_cancel;
        res.error_text = x->proxy_error;
        res.has_response = false;
    }
    gw_telemetry_proxy_end(f->t, 0, f->ep, &ps, &res, t0 + 7000000);
    out.status = x->proxy_error ? 500 : 200;
    out.bytes = 42;
    out.headers = gw_tel_hdrs_of(&rh);
    gw_telemetry_end(f->t, 0, &x->r, &out, t0 + 8000000);
    drain(f);
    gw_hdrs_free(&hl);
    gw_hdrs_free(&rh);
}

static void five_spans_with_spec_names_and_attributes(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *g, *p, *b, *rt, *pl;
    char want[64];

    (void)state;
    fx_init(&f, "{" OTLP "}", 64);
    x.h[0][0] = "Traceparent";
    x.h[0][1] = TP;
    x.h[1][0] = "tracestate";
    x.h[1][1] = "congo=t61rcWkgMzE";
    x.h[2][0] = "baggage";
    x.h[2][1] = " userId=alice ";
    x.nh = 3;
    x.route = true;
    run(&f, &x);
    assert_int_equal(f.n, 5);
    g = by_name(&f, "/users/42", GW_SPAN_SERVER);
    p = by_name(&f, "/users/:id", GW_SPAN_INTERNAL);
    b = by_name(&f, "/api/users/:id", GW_SPAN_INTERNAL);
    rt = by_name(&f, "/api/users/:id", GW_SPAN_CLIENT);
    pl = by_name(&f, "http.client.response.read.tracker", GW_SPAN_INTERNAL);
    assert_true(g && p && b && rt && pl);
    /* one trace, continued from the client's traceparent; each span the parent of the next */
    assert_int_equal(g->trace_id[0], 0x4b);
    assert_true(g->has_parent && g->parent_remote);
    assert_int_equal(g->parent_id[0], 0x00);
    assert_int_equal(g->parent_id[7], 0xb7);
    assert_memory_equal(p->parent_id, g->span_id, 8);
    assert_memory_equal(b->parent_id, p->span_id, 8);
    assert_memory_equal(rt->parent_id, b->span_id, 8);
    assert_memory_equal(pl->parent_id, rt->span_id, 8);
    assert_false(p->parent_remote);
    for (size_t i = 0; i < f.n; i++) {
        assert_memory_equal(f.spans[i]->trace_id, g->trace_id, 16);
        assert_int_equal(f.spans[i]->tracestate_len, 17);
    }
    want_str(g, "url.full", "/users/42?x=1");
    want_str(g, "server.address", "gw:8080");
    want_str(g, "http.request.method", "GET");
    want_int(g, "http.request.body.size", 0);
    want_str(g, "user_agent.original", "curl/8");
    want_str(g, "client.address", "10.0.0.1:5555");
    want_str(g, "krakend.stage", "global");
    want_str(g, "http.route", "/users/:id");
    want_int(g, "http.response.status_code", 200);
    want_int(g, "http.response.body.size", 42);
    assert_int_equal(g->status, GW_SPAN_OK);
    assert_null(attr(g, "http.request.header.traceparent")); /* no report_headers */
    want_str(p, "http.request.method", "GET");
    want_str(p, "http.route", "/users/:id");
    want_str(p, "krakend.stage", "proxy");
    want_int(p, "http.response.status_code", 0);
    want_bool(p, "complete", true);
    assert_int_equal(p->status, GW_SPAN_UNSET);
    want_str(b, "http.route", "/api/users/:id");
    want_str(b, "krakend.endpoint.route", "/users/:id");
    want_str(b, "krakend.endpoint.method", "GET");
    want_str(b, "krakend.stage", "backend");
    want_str(rt, "krakend.stage", "backend-request");
    want_str(rt, "url.full", "http://127.0.0.1:8081/api/users/42");
    want_str(rt, "server.address", "127.0.0.1:8081");
    want_int(rt, "http.response.status_code", 200);
    want_int(rt, "http.response.body.size", 42);
    assert_non_null(attr(rt, "response-duration"));
    assert_true(attr(rt, "response-duration")->v.d == 0.004997);
    assert_non_null(attr(rt, "dns-duration"));
    assert_int_equal(rt->n_events, 1);
    assert_string_equal(rt->events[0].name, "first-byte-time");
    assert_int_equal(rt->status, GW_SPAN_OK);
    want_int(pl, "http.client.response.read.size", 42);
    want_str(pl, "krakend.stage", "backend-request");
    assert_true(attr(pl, "http.client.response.read.time")->v.d == 0.0001);
    assert_int_equal(g->start_ns, 1700000000000000000LL);
    assert_int_equal(g->end_ns, 1700000000008000000LL);
    /* the backend sees the round-trip span as its parent; state and baggage pass through */
    snprintf(want, sizeof(want), "00-4bf92f3577b34da6a3ce929d0e0e4736-");
    assert_int_equal(x.inj.traceparent_len, 55);
    assert_memory_equal(x.inj.traceparent, want, 36);
    assert_string_equal(x.inj.traceparent + 53, "01");
    {
        char sid[17];
        for (int i = 0; i < 8; i++)
            snprintf(sid + 2 * i, 3, "%02x", rt->span_id[i]);
        assert_memory_equal(x.inj.traceparent + 36, sid, 16);
    }
    assert_int_equal(x.inj.tracestate_len, 17);
    assert_int_equal(x.inj.baggage_len, 12);
    assert_memory_equal(x.inj.baggage, "userId=alice", 12);
    fx_free(&f);
}

static void ratio_sampling_is_parent_based(void **state)
{
    struct fx f;
    struct run x = {0};

    (void)state;
    fx_init(&f, "{\"trace_sample_rate\":0.5," OTLP "}", 64);
    /* root: trace id 0x10... -> low half >> 1 = 0x0808... < 0.5 * 2^63: sampled */
    f.det.fixed = 0x10;
    x.route = true;
    run(&f, &x);
    assert_int_equal(f.n, 5);
    assert_int_equal(x.inj.traceparent_len, 55);
    fx_release(&f);
    /* root: 0xf0... is above the bound: nothing recorded, nothing injected */
    memset(&x, 0, sizeof(x));
    f.det.fixed = 0xf0;
    x.route = true;
    run(&f, &x);
    assert_int_equal(f.n, 0);
    assert_int_equal(x.inj.traceparent_len, 0);
    /* a sampled remote parent wins over the ratio, an unsampled one too */
    memset(&x, 0, sizeof(x));
    x.h[0][0] = "traceparent";
    x.h[0][1] = TP;
    x.nh = 1;
    run(&f, &x);
    assert_int_equal(f.n, 5);
    fx_release(&f);
    memset(&x, 0, sizeof(x));
    x.h[0][0] = "traceparent";
    x.h[0][1] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    x.nh = 1;
    f.det.fixed = 0x10;
    run(&f, &x);
    assert_int_equal(f.n, 0);
    fx_free(&f);
}

static void always_sample_ignores_unsampled_parent(void **state)
{
    struct fx f;
    struct run x = {0};

    (void)state;
    /* trace_sample_rate 0 means "sample everything" (trap) */
    fx_init(&f, "{\"trace_sample_rate\":0," OTLP "}", 64);
    x.h[0][0] = "traceparent";
    x.h[0][1] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    x.nh = 1;
    run(&f, &x);
    assert_int_equal(f.n, 5);
    assert_string_equal(x.inj.traceparent + 53, "01");
    fx_free(&f);
}

static void skip_paths_and_skipped_endpoints(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *g;

    (void)state;
    fx_init(&f, "{" OTLP "}", 64);
    x.path = "/__health";
    x.h[0][0] = "traceparent";
    x.h[0][1] = TP;
    x.nh = 1;
    run(&f, &x);
    /* the global layer skips the raw path; the endpoint layers still run for this endpoint */
    assert_true(x.r.skip);
    assert_null(by_name(&f, "/__health", 0));
    fx_release(&f);
    fx_free(&f);
    fx_init(&f, "{\"skip_paths\":[\"/users/:id\"]," OTLP "}", 64);
    memset(&x, 0, sizeof(x));
    x.route = true;
    run(&f, &x);
    g = by_name(&f, "/users/42", GW_SPAN_SERVER);
    assert_non_null(g);
    want_str(g, "http.route", "200 OK");
    assert_null(by_name(&f, "/users/:id", 0));
    assert_null(by_name(&f, "/api/users/:id", GW_SPAN_INTERNAL));
    fx_free(&f);
}

static void propagation_and_global_disabled(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *g, *p;

    (void)state;
    fx_init(&f, "{\"layers\":{\"global\":{\"disable_propagation\":true}}," OTLP "}", 64);
    x.h[0][0] = "traceparent";
    x.h[0][1] = TP;
    x.nh = 1;
    x.route = true;
    run(&f, &x);
    g = by_name(&f, "/users/42", GW_SPAN_SERVER);
    assert_non_null(g);
    assert_false(g->has_parent);
    assert_int_not_equal(g->trace_id[0], 0x4b);
    fx_free(&f);
    /* no global span: the proxy span hangs from the client's context */
    fx_init(&f, "{\"layers\":{\"global\":{\"disable_traces\":true}}," OTLP "}", 64);
    memset(&x, 0, sizeof(x));
    x.h[0][0] = "traceparent";
    x.h[0][1] = TP;
    x.nh = 1;
    x.route = true;
    run(&f, &x);
    assert_int_equal(f.n, 4);
    p = by_name(&f, "/users/:id", GW_SPAN_INTERNAL);
    assert_non_null(p);
    assert_true(p->has_parent && p->parent_remote);
    assert_int_equal(p->parent_id[7], 0xb7);
    fx_free(&f);
}

static void report_headers_grouped_and_skipped(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *g;
    const struct gw_span_attr *a;
    const char *v;
    size_t n;

    (void)state;
    fx_init(&f,
            "{\"layers\":{\"global\":{\"report_headers\":true,\"skip_headers\":"
            "[\"authorization\"]}}," OTLP "}",
            64);
    x.h[0][0] = "X-A";
    x.h[0][1] = "1";
    x.h[1][0] = "Authorization";
    x.h[1][1] = "secret";
    x.h[2][0] = "x-a";
    x.h[2][1] = "2";
    x.nh = 3;
    x.route = true;
    run(&f, &x);
    g = by_name(&f, "/users/42", GW_SPAN_SERVER);
    a = attr(g, "http.request.header.x-a");
    assert_non_null(a);
    assert_int_equal(a->type, GW_SA_STRS);
    assert_int_equal(a->n, 2);
    gw_span_strs_item(a, 1, &v, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], '2');
    assert_null(attr(g, "http.request.header.authorization"));
    assert_non_null(attr(g, "http.response.header.content-type"));
    fx_free(&f);
}

static void errors_in_spans_and_metrics(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *p, *rt, *b;
    struct gw_metrics_snapshot snap;
    struct cmn_err err = {0};
    struct cmn_buf out;
    struct gw_prom_input in = {&snap, NULL, NULL};
    char *text;

    (void)state;
    fx_init(&f, "{" OTLP "}", 64);
    x.rt_error = "context deadline exceeded";
    x.proxy_error = "all the backends failed";
    x.route = true;
    run(&f, &x);
    rt = by_name(&f, "/api/users/:id", GW_SPAN_CLIENT);
    assert_int_equal(rt->status, GW_SPAN_ERROR);
    assert_string_equal(rt->status_msg, "context deadline exceeded");
    assert_int_equal(rt->n_events, 1);
    assert_string_equal(rt->events[0].name, "exception");
    assert_null(by_name(&f, "http.client.response.read.tracker", 0));
    b = by_name(&f, "/api/users/:id", GW_SPAN_INTERNAL);
    want_str(b, "error", "context deadline exceeded");
    want_int(b, "http.response.status_code", 500);
    want_bool(b, "complete", false);
    p = by_name(&f, "/users/:id", GW_SPAN_INTERNAL);
    want_str(p, "error", "all the backends failed");
    fx_release(&f);
    memset(&x, 0, sizeof(x));
    x.proxy_cancel = true;
    x.route = true;
    run(&f, &x);
    p = by_name(&f, "/users/:id", GW_SPAN_INTERNAL);
    want_bool(p, "canceled", true);
    assert_null(attr(p, "error"));
    /* the metrics saw both requests */
    assert_true(
        gw_metrics_collect(gw_otel_metrics_registry(gw_telemetry_metrics(f.t)), &snap, &err));
    cmn_buf_init(&out, 1 << 20);
    assert_true(gw_prom_render(&in, &out));
    text = cmn_buf_take(&out, NULL);
    assert_non_null(strstr(text, "http_client_request_timedout_count_total{"));
    assert_non_null(strstr(text, "http_client_request_failed_count_total{"));
    assert_non_null(strstr(text, "http_response_status_code=\"0\""));
    assert_non_null(strstr(text,
                           "krakend_proxy_duration_count{canceled=\"true\",complete=\"false\","
                           "error=\"false\""));
    assert_non_null(strstr(text,
                           "krakend_proxy_duration_count{canceled=\"false\",complete=\"false\","
                           "error=\"true\""));
    assert_non_null(strstr(text, "http_server_duration_count{http_request_method=\"GET\","
                                 "http_response_status_code=\"500\""));
    free(text);
    gw_metrics_snapshot_free(&snap);
    fx_free(&f);
}

static void static_attributes_precedence(void **state)
{
    struct fx f;
    struct run x = {0};
    const struct gw_span *g, *p, *rt;

    (void)state;
    /* Go's order: a global static set after url.full wins over it, the route set at the end
     * wins over a static; a proxy static wins over nothing set later but loses to "complete" */
    fx_init(&f,
            "{\"layers\":{\"global\":{\"traces_static_attributes\":["
            "{\"key\":\"url.full\",\"value\":\"static-url\"},"
            "{\"key\":\"http.route\",\"value\":\"static-route\"},"
            "{\"key\":\"team\",\"value\":\"core\"}]},"
            "\"proxy\":{\"traces_static_attributes\":["
            "{\"key\":\"complete\",\"value\":\"static\"},"
            "{\"key\":\"krakend.stage\",\"value\":\"mine\"}]},"
            "\"backend\":{\"traces\":{\"round_trip\":true,\"static_attributes\":["
            "{\"key\":\"url.full\",\"value\":\"static\"}]}}}," OTLP "}",
            64);
    x.route = true;
    run(&f, &x);
    g = by_name(&f, "/users/42", GW_SPAN_SERVER);
    want_str(g, "url.full", "static-url");
    want_str(g, "http.route", "/users/:id");
    want_str(g, "team", "core");
    p = by_name(&f, "/users/:id", GW_SPAN_INTERNAL);
    want_bool(p, "complete", true);
    want_str(p, "krakend.stage", "proxy");
    rt = by_name(&f, "/api/users/:id", GW_SPAN_CLIENT);
    want_str(rt, "url.full", "http://127.0.0.1:8081/api/users/42");
    fx_free(&f);
}

static void full_pool_drops_and_counts(void **state)
{
    struct fx f;
    struct run x;

    (void)state;
    fx_init(&f, "{" OTLP "}", 16); /* 16 records: three requests' worth */
    for (int i = 0; i < 5; i++) {
        memset(&x, 0, sizeof(x));
        x.route = true;
        run(&f, &x); /* drains into f.spans without releasing */
    }
    assert_int_equal(f.n, 16);
    assert_int_equal(gw_span_buf_dropped(gw_telemetry_spans(f.t, 0)), 25 - 16);
    fx_release(&f);
    memset(&x, 0, sizeof(x));
    x.route = true;
    run(&f, &x);
    assert_int_equal(f.n, 5); /* released records are used again */
    fx_free(&f);
}

static void no_traces_exporter_records_no_spans(void **state)
{
    struct fx f;
    struct run x = {0};

    (void)state;
    fx_init(&f, "{\"exporters\":{\"prometheus\":[{}]}}", 64);
    x.h[0][0] = "traceparent";
    x.h[0][1] = TP;
    x.nh = 1;
    x.route = true;
    run(&f, &x);
    assert_null(gw_telemetry_spans(f.t, 0));
    assert_int_equal(x.inj.traceparent_len, 0);
    fx_free(&f);
}

static void default_random_gives_distinct_ids(void **state)
{
    struct gw_otel_random *r = gw_otel_random_xoshiro_new(2, NULL);
    uint8_t a[16], b[16], c[16];
    uint8_t seed[32] = {1, 2, 3};
    struct gw_otel_random *r1 = gw_otel_random_xoshiro_new(1, seed);
    struct gw_otel_random *r2 = gw_otel_random_xoshiro_new(1, seed);

    (void)state;
    assert_non_null(r);
    r->fill(r->ctx, 0, a, 16);
    r->fill(r->ctx, 1, b, 16);
    r->fill(r->ctx, 0, c, 16);
    assert_memory_not_equal(a, b, 16);
    assert_memory_not_equal(a, c, 16);
    /* the same seed, the same sequence */
    r1->fill(r1->ctx, 0, a, 16);
    r2->fill(r2->ctx, 0, b, 16);
    assert_memory_equal(a, b, 16);
    gw_otel_random_xoshiro_free(r);
    gw_otel_random_xoshiro_free(r1);
    gw_otel_random_xoshiro_free(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_spans_with_spec_names_and_attributes),
        cmocka_unit_test(ratio_sampling_is_parent_based),
        cmocka_unit_test(always_sample_ignores_unsampled_parent),
        cmocka_unit_test(skip_paths_and_skipped_endpoints),
        cmocka_unit_test(propagation_and_global_disabled),
        cmocka_unit_test(report_headers_grouped_and_skipped),
        cmocka_unit_test(errors_in_spans_and_metrics),
        cmocka_unit_test(static_attributes_precedence),
        cmocka_unit_test(full_pool_drops_and_counts),
        cmocka_unit_test(no_traces_exporter_records_no_spans),
        cmocka_unit_test(default_random_gives_distinct_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
