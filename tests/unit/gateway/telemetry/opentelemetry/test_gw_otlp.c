/* test_gw_otlp.c - OTLP bodies decoded back: protobuf with protobuf-c's unpack of OTLP's own
 * definitions, and compared byte for byte with protobuf-c's packing of the same spans (the
 * encoder writes spans itself); JSON with jansson.
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
    /* again: the same bytes from the encoder's reused buffers */
    assert_true(gw_otlp_enc_traces(enc, spans, 3, 1 << 20, &y, &yl));
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
    gw_span_tmpl_free(&tmpl);
    gw_span_tmpl_free(&dup);
    gw_otlp_enc_free(enc);
    gw_span_buf_destroy(b);
}

/* ---- the encoder beside protobuf-c: the same spans as OTLP's own messages, packed by
 * protobuf-c, must give the very same bytes ---- */

typedef Opentelemetry__Proto__Common__V1__AnyValue PB_ANY;
typedef Opentelemetry__Proto__Common__V1__KeyValue PB_KV;
typedef Opentelemetry__Proto__Common__V1__ArrayValue PB_ARR;
typedef Opentelemetry__Proto__Trace__V1__Span PB_SPAN;

#define REF_MAX 64 /* objects of a kind one reference body holds */

struct ref {
    PB_ANY any[REF_MAX * 4];
    PB_KV kv[REF_MAX], *kvp[REF_MAX];
    PB_ARR arr[REF_MAX];
    PB_ANY *items[REF_MAX * 2];
    Opentelemetry__Proto__Trace__V1__Span__Event ev[8], *evp[8];
    Opentelemetry__Proto__Trace__V1__Span__Link ln[8], *lnp[8];
    size_t n_any, n_kv, n_arr, n_items, n_ev, n_ln;
};

static char *mut(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

static PB_KV **ref_attrs(struct ref *r, const struct gw_span_attr *const *at, size_t n)
{
    PB_KV **first = &r->kvp[r->n_kv];

    for (size_t i = 0; i < n; i++) {
        PB_KV *kv = &r->kv[r->n_kv];
        PB_ANY *any = &r->any[r->n_any++];
        opentelemetry__proto__common__v1__key_value__init(kv);
        opentelemetry__proto__common__v1__any_value__init(any);
        kv->key = mut(at[i]->key);
        kv->value = any;
        switch (at[i]->type) {
        case GW_SA_STR:
            any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
            any->string_value = mut(at[i]->v.s);
            break;
        case GW_SA_INT:
            any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
            any->int_value = at[i]->v.i;
            break;
        case GW_SA_BOOL:
            any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE;
            any->bool_value = at[i]->v.b;
            break;
        case GW_SA_DOUBLE:
            any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
            any->double_value = at[i]->v.d;
            break;
        default: { /* GW_SA_STRS */
            PB_ARR *arr = &r->arr[r->n_arr++];
            opentelemetry__proto__common__v1__array_value__init(arr);
            arr->values = &r->items[r->n_items];
            for (size_t k = 0; k < at[i]->n; k++) {
                const char *v;
                size_t l;
                PB_ANY *it = &r->any[r->n_any++];
                gw_span_strs_item(at[i], k, &v, &l);
                opentelemetry__proto__common__v1__any_value__init(it);
                it->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
                it->string_value = mut(v);
                r->items[r->n_items++] = it;
            }
            arr->n_values = at[i]->n;
            any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE;
            any->array_value = arr;
            break;
        }
        }
        r->kvp[r->n_kv++] = kv;
        assert_true(r->n_kv < REF_MAX && r->n_any < REF_MAX * 4);
    }
    return first;
}

static void ref_span(struct ref *r, const struct gw_span *s, PB_SPAN *m,
                     Opentelemetry__Proto__Trace__V1__Status *st)
{
    const struct gw_span_attr *at[GW_SPAN_MAX_ALL_ATTRS];
    size_t n = gw_span_attrs(s, at, GW_SPAN_MAX_ALL_ATTRS);

    opentelemetry__proto__trace__v1__span__init(m);
    opentelemetry__proto__trace__v1__status__init(st);
    m->trace_id = (ProtobufCBinaryData){16, (uint8_t *)(uintptr_t)s->trace_id};
    m->span_id = (ProtobufCBinaryData){8, (uint8_t *)(uintptr_t)s->span_id};
    if (s->has_parent)
        m->parent_span_id = (ProtobufCBinaryData){8, (uint8_t *)(uintptr_t)s->parent_id};
    m->trace_state = mut(s->tracestate);
    m->name = mut(s->name);
    m->kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)s->kind;
    m->start_time_unix_nano = (uint64_t)(s->start_ns > 0 ? s->start_ns : 0);
    m->end_time_unix_nano = (uint64_t)(s->end_ns > 0 ? s->end_ns : 0);
    m->n_attributes = n;
    m->attributes = ref_attrs(r, at, n);
    m->dropped_attributes_count = s->dropped_attrs;
    m->dropped_events_count = s->dropped_events;
    m->dropped_links_count = s->dropped_links;
    m->events = &r->evp[r->n_ev];
    for (uint16_t i = 0; i < s->n_events; i++) {
        const struct gw_span_attr *ea[GW_SPAN_MAX_EVENT_ATTRS];
        Opentelemetry__Proto__Trace__V1__Span__Event *e = &r->ev[r->n_ev];
        opentelemetry__proto__trace__v1__span__event__init(e);
        e->time_unix_nano = (uint64_t)s->events[i].time_ns;
        e->name = mut(s->events[i].name);
        for (uint8_t k = 0; k < s->events[i].n_attrs; k++)
            ea[k] = &s->events[i].attrs[k];
        e->n_attributes = s->events[i].n_attrs;
        e->attributes = ref_attrs(r, ea, e->n_attributes);
        r->evp[r->n_ev++] = e;
    }
    m->n_events = s->n_events;
    m->links = &r->lnp[r->n_ln];
    for (uint16_t i = 0; i < s->n_links; i++) {
        Opentelemetry__Proto__Trace__V1__Span__Link *l = &r->ln[r->n_ln];
        opentelemetry__proto__trace__v1__span__link__init(l);
        l->trace_id = (ProtobufCBinaryData){16, (uint8_t *)(uintptr_t)s->links[i].trace_id};
        l->span_id = (ProtobufCBinaryData){8, (uint8_t *)(uintptr_t)s->links[i].span_id};
        l->flags = s->links[i].flags;
        r->lnp[r->n_ln++] = l;
    }
    m->n_links = s->n_links;
    st->code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)s->status;
    st->message = mut(s->status_msg);
    m->status = st;
    m->flags = 0x100u | (s->parent_remote ? 0x200u : 0u);
}

/* protobuf-c's packing of the request the encoder writes for these spans. */
static uint8_t *ref_body(struct gw_span *const *spans, size_t n, size_t *len)
{
    static struct ref r;
    PB_SPAN m[8], *mp[8];
    Opentelemetry__Proto__Trace__V1__Status st[8];
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest req;
    Opentelemetry__Proto__Trace__V1__ResourceSpans rs, *rsp = &rs;
    Opentelemetry__Proto__Trace__V1__ScopeSpans ss, *ssp = &ss;
    Opentelemetry__Proto__Resource__V1__Resource res;
    Opentelemetry__Proto__Common__V1__InstrumentationScope scope;
    PB_KV rkv[2], *rkvp[2] = {&rkv[0], &rkv[1]};
    PB_ANY rany[2];
    uint8_t *out;

    memset(&r, 0, sizeof(r));
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        ref_span(&r, spans[i], &m[i], &st[i]);
        mp[i] = &m[i];
    }
    opentelemetry__proto__resource__v1__resource__init(&res);
    for (size_t i = 0; i < 2; i++) {
        opentelemetry__proto__common__v1__key_value__init(&rkv[i]);
        opentelemetry__proto__common__v1__any_value__init(&rany[i]);
        rkv[i].key = RES_ITEMS[i].key;
        rkv[i].value = &rany[i];
        rany[i].value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
        rany[i].string_value = RES_ITEMS[i].value;
    }
    res.n_attributes = 2;
    res.attributes = rkvp;
    opentelemetry__proto__common__v1__instrumentation_scope__init(&scope);
    scope.name = mut(SRC.scope_name);
    scope.version = mut(SRC.scope_version);
    opentelemetry__proto__trace__v1__scope_spans__init(&ss);
    ss.scope = &scope;
    ss.n_spans = n;
    ss.spans = mp;
    opentelemetry__proto__trace__v1__resource_spans__init(&rs);
    rs.resource = &res;
    rs.n_scope_spans = 1;
    rs.scope_spans = &ssp;
    rs.schema_url = mut(SRC.schema_url);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__init(&req);
    req.n_resource_spans = 1;
    req.resource_spans = &rsp;
    *len = protobuf_c_message_get_packed_size(&req.base);
    out = malloc(*len + 1);
    assert_non_null(out);
    assert_int_equal(protobuf_c_message_pack(&req.base, out), *len);
    return out;
}

/* Spans of every shape: every attribute type and edge value (negative, zero, empty, long), with
 * and without parent, times, events, links, status, templates and repeated keys. */
static void bytes_match_protobuf_c(void **state)
{
    struct gw_span_buf *b = gw_span_buf_new(16, 0, false);
    struct gw_otlp_enc *enc = gw_otlp_enc_new(&SRC);
    struct gw_span *spans[8];
    struct gw_span_tmpl tmpl;
    struct gw_span_attr ta[2] = {{0}}, ev[2] = {{0}};
    char longv[300];
    const char *vals[] = {"", "x", longv};
    size_t lens[] = {0, 1, sizeof(longv) - 1};
    uint8_t *mine, *ref;
    size_t ml, rl;

    (void)state;
    memset(longv, 'v', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    make_spans(b, spans);
    ta[0] = (struct gw_span_attr){.key = "http.route", .type = GW_SA_STR, .n = 4, .v.s = "/a/b"};
    ta[1] = (struct gw_span_attr){.key = "url.full", .type = GW_SA_INT, .v.i = 7};
    assert_true(gw_span_tmpl_init(&tmpl, ta, 2, true));
    for (size_t i = 2; i < 6; i++) {
        spans[i] = gw_span_alloc(b);
        assert_non_null(spans[i]);
        spans[i]->trace_id[15] = (uint8_t)i;
        spans[i]->span_id[0] = (uint8_t)(0x80 + i);
    }
    /* a bare span: no name, times, parent or attributes */
    spans[2]->kind = GW_SPAN_INTERNAL;
    /* extreme values */
    spans[3]->name = longv;
    spans[3]->start_ns = 1;
    spans[3]->end_ns = INT64_MAX;
    gw_span_add_int(spans[3], "neg", -1);
    gw_span_add_int(spans[3], "min", INT64_MIN);
    gw_span_add_int(spans[3], "zero", 0);
    gw_span_add_double(spans[3], "dzero", 0.0);
    gw_span_add_double(spans[3], "dneg", -1.5e300);
    gw_span_add_bool(spans[3], "f", false);
    gw_span_add_str(spans[3], "empty", "", 0);
    gw_span_add_str(spans[3], "", "no key", 6);
    gw_span_add_str(spans[3], "long", longv, sizeof(longv) - 1);
    gw_span_set_strs(spans[3], "list", 4, vals, lens, 3);
    spans[3]->dropped_attrs = 300;
    spans[3]->dropped_events = 1;
    spans[3]->dropped_links = 128;
    gw_span_set_status(spans[3], GW_SPAN_ERROR, "", 0);
    /* a template with repeated keys, placed among the span's own attributes */
    gw_span_add_str(spans[4], "url.full", "/own", 4);
    gw_span_add_str(spans[4], "before", "1", 1);
    spans[4]->tmpl = &tmpl;
    spans[4]->tmpl_pos = 1;
    spans[4]->may_dup = true;
    gw_span_add_str(spans[4], "http.route", "/last/wins", 10);
    /* events with and without attributes, links with and without flags */
    ev[0] = (struct gw_span_attr){.key = "exception.type", .type = GW_SA_STR, .n = 1, .v.s = "E"};
    ev[1] = (struct gw_span_attr){.key = "n", .type = GW_SA_INT, .v.i = 3};
    gw_span_add_event(spans[5], "plain", 0, NULL, 0);
    gw_span_add_event(spans[5], "", 5, ev, 2);
    gw_span_add_link(spans[5], spans[0]->trace_id, spans[0]->span_id, 0);
    gw_span_add_link(spans[5], spans[1]->trace_id, spans[1]->span_id, 0x300);
    spans[5]->has_parent = true;
    spans[5]->parent_remote = true;
    /* a template among the span's own attributes (encoded once, then reused), and one placed
     * past them (gw_span_attrs leaves it out) */
    for (size_t i = 6; i < 8; i++) {
        spans[i] = gw_span_alloc(b);
        assert_non_null(spans[i]);
        spans[i]->span_id[7] = (uint8_t)i;
        gw_span_add_str(spans[i], "own.a", "1", 1);
        spans[i]->tmpl = &tmpl;
    }
    gw_span_add_int(spans[6], "own.b", 2);
    spans[6]->tmpl_pos = 1;
    spans[7]->tmpl_pos = 5;
    for (size_t n = 0; n <= 8; n++) { /* no span at all, then more and more */
        assert_true(gw_otlp_enc_traces(enc, spans, n, 1 << 20, &mine, &ml));
        ref = ref_body(spans, n, &rl);
        assert_int_equal(ml, rl);
        assert_memory_equal(mine, ref, rl);
        /* one byte less than the body is refused */
        free(mine);
        assert_false(gw_otlp_enc_traces(enc, spans, n, rl - 1, &mine, &ml));
        assert_null(mine);
        free(ref);
    }
    /* the same bodies built a span at a time (the exporter's way): each finish holds exactly
     * the spans added since the last one, byte for byte as protobuf-c packs them */
    for (size_t from = 0; from <= 8; from += 3) {
        size_t to = from + 3 < 8 ? from + 3 : 8, pending = 0;
        for (size_t i = from; i < to; i++) {
            assert_true(gw_otlp_enc_add(enc, spans[i]));
            assert_true(gw_otlp_enc_pending(enc) > pending);
            pending = gw_otlp_enc_pending(enc);
        }
        assert_true(gw_otlp_enc_finish(enc, 1 << 20, &mine, &ml));
        assert_int_equal(gw_otlp_enc_pending(enc), 0);
        ref = ref_body(spans + from, to - from, &rl);
        assert_int_equal(ml, rl);
        assert_memory_equal(mine, ref, rl);
        free(mine);
        /* too big for max_bytes: refused, and the next body starts empty all the same */
        for (size_t i = from; i < to; i++)
            assert_true(gw_otlp_enc_add(enc, spans[i]));
        assert_false(gw_otlp_enc_finish(enc, rl - 1, &mine, &ml));
        assert_null(mine);
        assert_int_equal(gw_otlp_enc_pending(enc), 0);
        free(ref);
    }
    gw_span_tmpl_free(&tmpl);
    gw_otlp_enc_free(enc);
    gw_span_buf_destroy(b);
}

/* A record the exporter gave back is the next one a new span receives (the most recent first),
 * not an untouched one further down the pool: the records in use stay few and in cache. */
static void released_records_come_back_first(void **state)
{
    struct gw_span_buf *b = gw_span_buf_new(64, 0, false);
    struct gw_span *s[4], *out[4];

    (void)state;
    assert_non_null(b);
    for (size_t i = 0; i < 4; i++) {
        s[i] = gw_span_alloc(b);
        assert_non_null(s[i]);
        gw_span_finish(b, s[i], true);
    }
    assert_int_equal(gw_span_buf_drain(b, out, 4), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_ptr_equal(out[i], s[i]);
        gw_span_buf_release(b, out[i]);
    }
    for (size_t i = 4; i-- > 0;)
        assert_ptr_equal(gw_span_alloc(b), s[i]);
    assert_int_equal(gw_span_buf_dropped(b), 0);
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
        cmocka_unit_test(bytes_match_protobuf_c),
        cmocka_unit_test(released_records_come_back_first),
        cmocka_unit_test(traces_json_shape),
        cmocka_unit_test(metrics_protobuf_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
