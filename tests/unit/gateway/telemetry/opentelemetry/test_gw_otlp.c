/* test_gw_otlp.c - OTLP bodies decoded back: protobuf with protobuf-c's unpack of OTLP's own
 * definitions (the encoder packs spans piecewise, gw/otlp/packed.proto), JSON with jansson.
 * Names, kinds, ids, attributes, templates and repeated keys, events, links, metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_otel_metrics.h"
#include "gw_otlp.h"
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h>

static char K1[] = "service.name", V1[] = "KrakenD", K2[] = "service.version", V2[] = "2.13.8";
static struct gw_tel_kv RES_ITEMS[] = {{K1, V1}, {K2, V2}};
static struct gw_tel_kvs RES = {RES_ITEMS, 2};
static const struct gw_otlp_source SRC = {&RES, GW_OTLP_SCHEMA_URL, GW_OTEL_SCOPE, ""};

/* Two spans, the second the child of the first, with every attribute type, an event, a link. */
static size_t make_spans(struct gw_span_buf *b, struct gw_span **out)
{
    struct gw_span *p = gw_span_alloc(b), *c = gw_span_alloc(b);
    const char *vals[] = {"a", "b\"c"};
    size_t lens[] = {1, 3};
    struct gw_span_attr ev[2] = {{0}};

    assert_non_null(p);
    assert_non_null(c);
    for (int i = 0; i < 16; i++)
        p->trace_id[i] = c->trace_id[i] = (uint8_t)(0xa0 + i);
    for (int i = 0; i < 8; i++) {
        p->span_id[i] = (uint8_t)(0x10 + i);
        c->span_id[i] = (uint8_t)(0x20 + i);
        p->parent_id[i] = (uint8_t)(0x30 + i);
    }
    p->has_parent = p->parent_remote = true;
    p->kind = GW_SPAN_SERVER;
    p->name = "/users/42";
    p->name_len = 9;
    p->tracestate = gw_span_copy(p, "congo=t61", 9);
    p->tracestate_len = 9;
    p->start_ns = 1700000000000000000LL;
    p->end_ns = 1700000000008000000LL;
    gw_span_add_str(p, "url.full", "/users/42?x=1", 13);
    gw_span_add_int(p, "http.response.status_code", 200);
    gw_span_add_bool(p, "complete", true);
    gw_span_add_double(p, "response-duration", 0.25);
    gw_span_set_strs(p, "http.request.header.x-a", 23, vals, lens, 2);
    gw_span_set_status(p, GW_SPAN_OK, NULL, 0);
    memcpy(c->trace_id, p->trace_id, 16);
    memcpy(c->parent_id, p->span_id, 8);
    c->has_parent = true;
    c->kind = GW_SPAN_CLIENT;
    c->name = "/api/users/:id";
    c->name_len = 14;
    c->start_ns = 1700000000001000000LL;
    c->end_ns = 1700000000002000000LL;
    ev[0].key = "exception.message";
    ev[0].type = GW_SA_STR;
    ev[0].v.s = "boom";
    ev[0].n = 4;
    gw_span_add_event(c, "exception", 1700000000001500000LL, ev, 1);
    gw_span_add_link(c, p->trace_id, p->parent_id, 0x301);
    gw_span_set_status(c, GW_SPAN_ERROR, "boom", 4);
    c->dropped_attrs = 3;
    out[0] = p;
    out[1] = c;
    return 2;
}

static const Opentelemetry__Proto__Common__V1__AnyValue *
pb_attr(Opentelemetry__Proto__Common__V1__KeyValue **kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i]->key, key) == 0)
            return kv[i]->value;
    return NULL;
}

static void traces_protobuf_round_trip(void **state)
{
    struct gw_span_buf *b = gw_span_buf_new(16, 0, false);
    struct gw_span *spans[2];
    uint8_t *body;
    size_t len;
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req;
    Opentelemetry__Proto__Trace__V1__ResourceSpans *rs;
    Opentelemetry__Proto__Trace__V1__Span *p, *c;
    const Opentelemetry__Proto__Common__V1__AnyValue *v;

    (void)state;
    struct gw_otlp_enc *enc = gw_otlp_enc_new(&SRC);

    assert_non_null(enc);
    make_spans(b, spans);
    assert_true(gw_otlp_enc_traces(enc, spans, 2, 1 << 20, &body, &len));
    /* too small a cap refuses to encode */
    {
        uint8_t *small;
        size_t sl;
        assert_false(gw_otlp_enc_traces(enc, spans, 2, 64, &small, &sl));
        assert_null(small);
    }
    req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
        NULL, len, body);
    assert_non_null(req);
    assert_int_equal(req->n_resource_spans, 1);
    rs = req->resource_spans[0];
    assert_string_equal(rs->schema_url, GW_OTLP_SCHEMA_URL);
    assert_int_equal(rs->resource->n_attributes, 2);
    assert_string_equal(rs->resource->attributes[0]->key, "service.name");
    assert_string_equal(rs->resource->attributes[0]->value->string_value, "KrakenD");
    assert_int_equal(rs->n_scope_spans, 1);
    assert_string_equal(rs->scope_spans[0]->scope->name, "io.krakend.krakend-otel");
    assert_string_equal(rs->scope_spans[0]->scope->version, "");
    assert_int_equal(rs->scope_spans[0]->n_spans, 2);
    p = rs->scope_spans[0]->spans[0];
    c = rs->scope_spans[0]->spans[1];
    assert_string_equal(p->name, "/users/42");
    assert_int_equal(p->kind, OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_SERVER);
    assert_int_equal(p->trace_id.len, 16);
    assert_memory_equal(p->trace_id.data, spans[0]->trace_id, 16);
    assert_memory_equal(p->span_id.data, spans[0]->span_id, 8);
    assert_memory_equal(p->parent_span_id.data, spans[0]->parent_id, 8);
    assert_string_equal(p->trace_state, "congo=t61");
    assert_int_equal(p->flags, 0x300); /* remote parent */
    assert_int_equal(p->start_time_unix_nano, 1700000000000000000ULL);
    assert_int_equal(p->end_time_unix_nano, 1700000000008000000ULL);
    v = pb_attr(p->attributes, p->n_attributes, "url.full");
    assert_string_equal(v->string_value, "/users/42?x=1");
    v = pb_attr(p->attributes, p->n_attributes, "http.response.status_code");
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE);
    assert_int_equal(v->int_value, 200);
    v = pb_attr(p->attributes, p->n_attributes, "complete");
    assert_true(v->bool_value);
    v = pb_attr(p->attributes, p->n_attributes, "response-duration");
    assert_true(v->double_value == 0.25);
    v = pb_attr(p->attributes, p->n_attributes, "http.request.header.x-a");
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE);
    assert_int_equal(v->array_value->n_values, 2);
    assert_string_equal(v->array_value->values[1]->string_value, "b\"c");
    assert_int_equal(p->status->code,
                     OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_OK);
    /* the child: parent link, event, link, error status, dropped count */
    assert_memory_equal(c->parent_span_id.data, spans[0]->span_id, 8);
    assert_int_equal(c->flags, 0x100);
    assert_int_equal(c->n_events, 1);
    assert_string_equal(c->events[0]->name, "exception");
    assert_int_equal(c->events[0]->time_unix_nano, 1700000000001500000ULL);
    assert_string_equal(c->events[0]->attributes[0]->value->string_value, "boom");
    assert_int_equal(c->n_links, 1);
    assert_memory_equal(c->links[0]->trace_id.data, spans[0]->trace_id, 16);
    assert_memory_equal(c->links[0]->span_id.data, spans[0]->parent_id, 8);
    assert_int_equal(c->links[0]->flags, 0x301);
    assert_int_equal(c->status->code,
                     OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_ERROR);
    assert_string_equal(c->status->message, "boom");
    assert_int_equal(c->dropped_attributes_count, 3);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req,
                                                                                            NULL);
    free(body);
    gw_otlp_enc_free(enc);
    gw_span_buf_destroy(b);
}

/* Decodes a trace body; its spans in order. */
static Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *
decode(const uint8_t *body, size_t len, Opentelemetry__Proto__Trace__V1__Span ***spans, size_t *n)
{
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req =
        opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(NULL, len,
                                                                                         body);

    assert_non_null(req);
    *spans = req->resource_spans[0]->scope_spans[0]->spans;
    *n = req->resource_spans[0]->scope_spans[0]->n_spans;
    return req;
}

/* Template attributes and the span's own ones arrive as one attribute list; a key a static
 * attribute repeats arrives once, with the last value; encodings reused from body to body give
 * the same bytes. */
static void templates_repeated_keys_and_reuse(void **state)
{
    struct gw_span_buf *b = gw_span_buf_new(16, 0, false);
    struct gw_otlp_enc *enc = gw_otlp_enc_new(&SRC);
    struct gw_span *spans[3];
    struct gw_span_tmpl tmpl, dup;
    struct gw_span_attr ta[3] = {{0}};
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req;
    Opentelemetry__Proto__Trace__V1__Span **sp;
    const Opentelemetry__Proto__Common__V1__AnyValue *v;
    uint8_t *x, *y;
    size_t xl, yl, n, url_count = 0;
    uint64_t hits, misses;

    (void)state;
    make_spans(b, spans);
    ta[0].key = "http.route";
    ta[0].type = GW_SA_STR;
    ta[0].v.s = "/users/:id";
    ta[0].n = 10;
    ta[1].key = "krakend.stage";
    ta[1].type = GW_SA_STR;
    ta[1].v.s = "";
    ta[1].n = 0;
    ta[2].key = "n";
    ta[2].type = GW_SA_INT;
    ta[2].v.i = -5;
    assert_true(gw_span_tmpl_init(&tmpl, ta, 3, false));
    ta[2].key = "url.full"; /* collides with the span's own url.full */
    assert_true(gw_span_tmpl_init(&dup, ta, 3, true));
    spans[0]->tmpl = &tmpl;
    spans[0]->tmpl_pos = 2;
    spans[1]->tmpl = &dup;
    spans[1]->tmpl_pos = 0;
    spans[1]->may_dup = true;
    gw_span_add_str(spans[1], "url.full", "/x", 2);
    spans[2] = gw_span_alloc(b);
    memcpy(spans[2]->trace_id, spans[0]->trace_id, 16);
    spans[2]->span_id[0] = 9;
    spans[2]->name = "";
    spans[2]->tmpl = &tmpl;
    spans[2]->tmpl_pos = 0;
    assert_true(gw_otlp_enc_traces(enc, spans, 3, 1 << 20, &x, &xl));
    req = decode(x, xl, &sp, &n);
    assert_int_equal(n, 3);
    assert_int_equal(sp[0]->n_attributes, 5 + 3); /* its own five and the template's three */
    v = pb_attr(sp[0]->attributes, sp[0]->n_attributes, "http.route");
    assert_string_equal(v->string_value, "/users/:id");
    v = pb_attr(sp[0]->attributes, sp[0]->n_attributes, "n");
    assert_int_equal(v->int_value, -5);
    v = pb_attr(sp[0]->attributes, sp[0]->n_attributes, "url.full");
    assert_string_equal(v->string_value, "/users/42?x=1");
    for (size_t i = 0; i < sp[1]->n_attributes; i++)
        url_count += strcmp(sp[1]->attributes[i]->key, "url.full") == 0;
    assert_int_equal(url_count, 1);
    v = pb_attr(sp[1]->attributes, sp[1]->n_attributes, "url.full");
    assert_string_equal(v->string_value, "/x"); /* the span's own, set after the template */
    assert_int_equal(sp[2]->n_attributes, 3);
    assert_int_equal(sp[2]->span_id.data[0], 9);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req,
                                                                                            NULL);
    /* again: the same bytes, now from the cache */
    gw_otlp_enc_stats(enc, &hits, &misses);
    assert_int_equal(hits, 0);
    assert_true(gw_otlp_enc_traces(enc, spans, 3, 1 << 20, &y, &yl));
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    gw_otlp_enc_stats(enc, &hits, &misses);
    assert_int_equal(hits, 3); /* each span's repeating part */
    free(x);
    free(y);
    gw_span_tmpl_free(&tmpl);
    gw_span_tmpl_free(&dup);
    gw_otlp_enc_free(enc);
    gw_span_buf_destroy(b);
}

static void traces_json_shape(void **state)
{
    struct gw_span_buf *b = gw_span_buf_new(16, 0, false);
    struct gw_span *spans[2];
    struct cmn_buf out;
    json_t *doc, *span, *attrs;
    json_error_t je;
    size_t i;
    json_t *a;
    bool saw_int = false, saw_arr = false;

    (void)state;
    make_spans(b, spans);
    cmn_buf_init(&out, 1 << 20);
    assert_true(gw_otlp_traces_json(&SRC, spans, 2, &out));
    doc = json_loads(cmn_buf_str(&out), 0, &je);
    if (!doc)
        fail_msg("not JSON: %s\n%s", je.text, cmn_buf_str(&out));
    span = json_object_get(doc, "resourceSpans");
    span = json_object_get(json_array_get(span, 0), "scopeSpans");
    span = json_object_get(json_array_get(span, 0), "spans");
    span = json_array_get(span, 0);
    assert_non_null(span);
    assert_string_equal(json_string_value(json_object_get(span, "traceId")),
                        "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
    assert_string_equal(json_string_value(json_object_get(span, "spanId")), "1011121314151617");
    assert_string_equal(json_string_value(json_object_get(span, "parentSpanId")),
                        "3031323334353637");
    assert_int_equal(json_integer_value(json_object_get(span, "kind")), 2);
    assert_string_equal(json_string_value(json_object_get(span, "startTimeUnixNano")),
                        "1700000000000000000");
    attrs = json_object_get(span, "attributes");
    json_array_foreach(attrs, i, a)
    {
        json_t *v = json_object_get(a, "value");
        if (strcmp(json_string_value(json_object_get(a, "key")), "http.response.status_code") ==
            0) {
            assert_string_equal(json_string_value(json_object_get(v, "intValue")), "200");
            saw_int = true;
        }
        if (json_object_get(v, "arrayValue"))
            saw_arr = true;
    }
    assert_true(saw_int && saw_arr);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(span, "status"), "code")),
                     1);
    json_decref(doc);
    cmn_buf_free(&out);
    gw_span_buf_destroy(b);
}

/* A registry with one recorded request of each KrakenD layer. */
static struct gw_otel_metrics *recorded(struct gw_otel_config **cfg)
{
    struct cmn_err err = {0};
    json_t *j = json_loads("{\"exporters\":{\"prometheus\":[{}]}}", 0, NULL);
    struct gw_otel_endpoint_opts eo;
    struct gw_otel_backend_eff bo;
    struct gw_tel_strs w = {0};
    struct gw_otel_metrics *m;
    struct gw_otel_metrics_endpoint *ep;
    struct gw_otel_metrics_backend *be;
    const char *hosts[] = {"http://backend"};
    struct gw_otel_rt rt = {0, -1, GW_OTEL_RT_OK, 200, 0, 100, false, 0.002, 0, 0, 0};
    struct gw_metrics_shard *s;

    assert_int_equal(gw_otel_config_parse(j, NULL, cfg, &err), GW_OTEL_CONFIG_OK);
    json_decref(j);
    m = gw_otel_metrics_new(*cfg, 1, 0, 42, &err);
    assert_true(gw_otel_config_endpoint(*cfg, "/a", NULL, "e", &eo, &w));
    ep = gw_otel_metrics_endpoint_new(m, "/a", "GET", &eo);
    assert_true(gw_otel_config_backend(*cfg, "/a", NULL, "b", &bo, &w));
    be = gw_otel_metrics_backend_new(m, ep, "/b", "GET", &bo, hosts, 1);
    s = gw_otel_metrics_shard(m, 0);
    gw_otel_metrics_roundtrip(s, be, &rt);
    gw_otel_metrics_payload(s, be, 100, 0.5, false);
    gw_otel_metrics_global(m, s, ep, GW_OTEL_M_GET, 200, false, 0.015, 100);
    gw_otel_endpoint_opts_free(&eo);
    gw_otel_backend_eff_free(&bo);
    gw_tel_strs_free(&w);
    return m;
}

static void metrics_protobuf_round_trip(void **state)
{
    struct gw_otel_config *cfg;
    struct gw_otel_metrics *m = recorded(&cfg);
    struct gw_metrics_snapshot snap;
    struct cmn_err err = {0};
    uint8_t *body;
    size_t len;
    Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *req;
    Opentelemetry__Proto__Metrics__V1__ScopeMetrics *sm;
    bool saw_hist = false, saw_started = false, saw_time = false;

    (void)state;
    assert_true(gw_metrics_collect(gw_otel_metrics_registry(m), &snap, &err));
    assert_true(gw_otlp_metrics_pb(&SRC, &snap, 99, 1 << 20, &body, &len));
    req = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(
        NULL, len, body);
    assert_non_null(req);
    sm = req->resource_metrics[0]->scope_metrics[0];
    assert_string_equal(sm->scope->name, "io.krakend.krakend-otel");
    for (size_t i = 0; i < sm->n_metrics; i++) {
        const Opentelemetry__Proto__Metrics__V1__Metric *mt = sm->metrics[i];
        if (strcmp(mt->name, "http.server.duration") == 0) {
            const Opentelemetry__Proto__Metrics__V1__HistogramDataPoint *dp;
            saw_hist = true;
            assert_int_equal(mt->data_case,
                             OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM);
            assert_int_equal(mt->histogram->aggregation_temporality, 2);
            dp = mt->histogram->data_points[0];
            assert_int_equal(dp->count, 1);
            assert_int_equal(dp->_sum_case,
                             OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___SUM_SUM);
            assert_true(dp->sum == 0.015);
            assert_int_equal(dp->n_explicit_bounds, 20);
            assert_int_equal(dp->n_bucket_counts, 21);
            assert_int_equal(dp->bucket_counts[0], 0);
            assert_int_equal(dp->bucket_counts[1], 1); /* (0.01, 0.02] */
            assert_int_equal(dp->start_time_unix_nano, 42);
            assert_int_equal(dp->time_unix_nano, 99);
            assert_string_equal(
                pb_attr(dp->attributes, dp->n_attributes, "http.route")->string_value, "/a");
            assert_int_equal(
                pb_attr(dp->attributes, dp->n_attributes, "http.response.status_code")->int_value,
                200);
        }
        if (strcmp(mt->name, "http.client.request.started.count") == 0) {
            const Opentelemetry__Proto__Metrics__V1__NumberDataPoint *dp = mt->sum->data_points[0];
            saw_started = true;
            assert_true(mt->sum->is_monotonic);
            assert_int_equal(dp->as_int, 1);
            /* server.port: 0 without an explicit port (the §3.7 trap) */
            assert_int_equal(pb_attr(dp->attributes, dp->n_attributes, "server.port")->int_value,
                             0);
            assert_string_equal(
                pb_attr(dp->attributes, dp->n_attributes, "server.address")->string_value,
                "backend");
        }
        if (strcmp(mt->name, "http.client.response.read.time") == 0) {
            saw_time = true;
            assert_string_equal(mt->unit, "s");
            assert_true(mt->sum->data_points[0]->as_double == 0.5);
        }
    }
    assert_true(saw_hist && saw_started && saw_time);
    opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(
        req, NULL);
    free(body);
    {
        struct cmn_buf out;
        json_t *doc;
        cmn_buf_init(&out, 1 << 20);
        assert_true(gw_otlp_metrics_json(&SRC, &snap, 99, &out));
        doc = json_loads(cmn_buf_str(&out), 0, NULL);
        assert_non_null(doc);
        assert_non_null(strstr(cmn_buf_str(&out), "\"bucketCounts\":[\"0\",\"1\","));
        assert_non_null(strstr(cmn_buf_str(&out), "\"asInt\":\"1\""));
        assert_non_null(strstr(cmn_buf_str(&out), "\"explicitBounds\":[0.01,0.02,0.05"));
        json_decref(doc);
        cmn_buf_free(&out);
    }
    gw_metrics_snapshot_free(&snap);
    gw_otel_metrics_destroy(m);
    gw_otel_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traces_protobuf_round_trip),
        cmocka_unit_test(templates_repeated_keys_and_reuse),
        cmocka_unit_test(traces_json_shape),
        cmocka_unit_test(metrics_protobuf_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
