/* fuzz_traceparent.c - libFuzzer target for the trace context headers clients send:
 * traceparent, tracestate and baggage (lines 1-3 of the input), parsed directly and through a
 * whole request's telemetry (global span with report_headers, propagation to a backend). */
#include "gw_telemetry.h"
#include "gw_tracecontext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_telemetry *tel;
static struct gw_telemetry_endpoint *ep;
static struct gw_telemetry_backend *be;

static void fill(void *ctx, unsigned w, uint8_t *buf, size_t n)
{
    static uint8_t x = 1;

    (void)ctx, (void)w;
    for (size_t i = 0; i < n; i++)
        buf[i] = x++;
}

static void setup(void)
{
    static struct gw_otel_config *cfg;
    struct cmn_err err;
    struct gw_telemetry_opts o = {0};
    struct gw_tel_strs warn = {0};
    const char *hosts[] = {"http://backend:8080"};
    json_t *j = json_loads("{\"trace_sample_rate\":0.5,\"layers\":{\"global\":{\"report_headers\""
                           ":true},\"backend\":{\"traces\":{\"round_trip\":true,\"report_headers\""
                           ":true}}},\"exporters\":{\"otlp\":[{\"use_http\":true}]}}",
                           0, NULL);

    if (gw_otel_config_parse(j, NULL, &cfg, &err) != GW_OTEL_CONFIG_OK)
        abort();
    json_decref(j);
    o.threads = 1;
    o.spans_per_thread = 64;
    o.random.fill = fill;
    tel = gw_telemetry_new(cfg, &o, &err);
    ep = gw_telemetry_endpoint_new(tel, "/a/{b}", "GET", NULL, "e", &warn);
    be = gw_telemetry_backend_new(tel, ep, "/b/{b}", "GET", hosts, 1, NULL, "b", &warn);
    if (!tel || !ep || !be)
        abort();
    gw_tel_strs_free(&warn);
}

static void check_direct(const char *l[3], const size_t n[3])
{
    struct gw_trace_ctx c, again;
    char out[GW_TRACEPARENT_LEN + 1];
    size_t a, tl;

    if (gw_traceparent_parse(l[0], n[0], &c)) {
        /* what we write back is a version-00 value that parses to the same context */
        if (gw_traceparent_format(&c, out) != GW_TRACEPARENT_LEN ||
            !gw_traceparent_parse(out, GW_TRACEPARENT_LEN, &again) ||
            memcmp(c.trace_id, again.trace_id, 16) != 0 ||
            memcmp(c.span_id, again.span_id, 8) != 0 || c.flags != again.flags)
            __builtin_trap();
    }
    if (gw_tracestate_parse(l[1], n[1], &c)) {
        /* the normalised state is valid and stable */
        char copy[GW_TRACESTATE_MAX_LEN + 1];
        size_t cl = c.tracestate_len;
        memcpy(copy, c.tracestate, cl);
        if (!gw_tracestate_parse(copy, cl, &again) || again.tracestate_len != cl ||
            memcmp(again.tracestate, copy, cl) != 0)
            __builtin_trap();
    }
    if (gw_baggage_valid(l[2], n[2], &a, &tl)) {
        if (a + tl > n[2] || !gw_baggage_valid(l[2] + a, tl, &a, &tl))
            __builtin_trap();
    }
}

/* Line k of the input as a C string (a header value never holds a NUL: it ends there). */
static char *line_copy(const char *l, size_t n)
{
    char *c = malloc(n + 1);

    if (!c)
        abort();
    memcpy(c, l, n);
    c[n] = '\0';
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *l[3] = {"", "", ""};
    size_t n[3] = {0, 0, 0}, k = 0, start = 0;
    char *v[3];
    struct cmn_http_kv h[4];
    struct gw_tel_hdrs hs;
    struct gw_telemetry_in in = {0};
    struct gw_telemetry_req r;
    struct gw_telemetry_stage ps, bs;
    struct gw_telemetry_rt rt;
    struct gw_telemetry_client_req cr = {0};
    struct gw_telemetry_client_resp resp = {0};
    struct gw_telemetry_result res = {0};
    struct gw_telemetry_inject inj;
    struct gw_telemetry_out out = {0};
    struct gw_span *spans[64];
    size_t got;

    if (!tel)
        setup();
    for (size_t i = 0; i <= size && k < 3; i++) {
        if (i == size || data[i] == '\n') {
            l[k] = (const char *)data + start;
            n[k++] = i - start;
            start = i + 1;
        }
    }
    check_direct(l, n);
    for (size_t i = 0; i < 3; i++)
        v[i] = line_copy(l[i], n[i]);
    h[0] = (struct cmn_http_kv){"traceparent", v[0]};
    h[1] = (struct cmn_http_kv){"TraceState", v[1]};
    h[2] = (struct cmn_http_kv){"baggage", v[2]};
    h[3] = (struct cmn_http_kv){v[1], v[2]}; /* report_headers with a stranger's name */
    hs = gw_tel_hdrs_of_kv(h, 4);
    in.method = v[2];
    in.method_len = strlen(v[2]) < 16 ? strlen(v[2]) : 16;
    in.path = in.target = v[1];
    in.path_len = in.target_len = strlen(v[1]);
    in.content_length = -1;
    in.headers = hs;
    in.traceparent = v[0];
    in.tracestate = v[1];
    in.baggage = v[2];
    gw_telemetry_begin(tel, 0, &r, &in, 1);
    gw_telemetry_route(&r, ep);
    gw_telemetry_proxy_begin(tel, 0, &r, ep, &ps, hs, 2);
    gw_telemetry_backend_begin(tel, 0, &ps, &r, be, &bs, hs, 2);
    cr.method = "GET";
    cr.method_len = 3;
    cr.url = "http://backend:8080/b/1";
    cr.url_len = 23;
    cr.host_port = "backend:8080";
    cr.host_port_len = 12;
    cr.content_length = -1;
    cr.headers = hs;
    gw_telemetry_rt_begin(tel, 0, &bs, &r, be, &rt, &cr, &inj, 3);
    if (inj.traceparent_len && inj.traceparent_len != GW_TRACEPARENT_LEN)
        __builtin_trap();
    resp.status = 200;
    resp.content_length = -1;
    resp.headers = hs;
    gw_telemetry_rt_end(tel, 0, be, &rt, &resp, 4);
    gw_telemetry_payload_end(tel, 0, be, &rt, 0, 4, NULL, 5);
    res.has_response = res.complete = true;
    gw_telemetry_backend_end(tel, 0, be, &bs, &res, 5);
    gw_telemetry_proxy_end(tel, 0, ep, &ps, &res, 5);
    out.status = 200;
    out.headers = hs;
    gw_telemetry_end(tel, 0, &r, &out, 6);
    got = gw_span_buf_drain(gw_telemetry_spans(tel, 0), spans, 64);
    for (size_t i = 0; i < got; i++) {
        if (spans[i]->arena_used > GW_SPAN_ARENA || spans[i]->n_attrs > GW_SPAN_MAX_ATTRS)
            __builtin_trap();
        gw_span_buf_release(gw_telemetry_spans(tel, 0), spans[i]);
    }
    for (size_t i = 0; i < 3; i++)
        free(v[i]);
    return 0;
}
