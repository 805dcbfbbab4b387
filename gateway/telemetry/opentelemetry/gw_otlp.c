/* gw_otlp.c - OTLP protobuf bodies built with protobuf-c's generated messages (from the .proto
 * files in proto/). The message structs of one body come from one arena. */
#include "gw_otlp.h"

#include <gw/otlp/packed.pb-c.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h>
#include <opentelemetry/proto/trace/v1/trace.pb-c.h>

#include <stdlib.h>
#include <string.h>

#define KV Opentelemetry__Proto__Common__V1__KeyValue
#define ANY Opentelemetry__Proto__Common__V1__AnyValue
#define ARR Opentelemetry__Proto__Common__V1__ArrayValue
#define SCOPE Opentelemetry__Proto__Common__V1__InstrumentationScope
#define RES Opentelemetry__Proto__Resource__V1__Resource
#define SPAN Opentelemetry__Proto__Trace__V1__Span
#define EVENT Opentelemetry__Proto__Trace__V1__Span__Event
#define LINK Opentelemetry__Proto__Trace__V1__Span__Link
#define STATUS Opentelemetry__Proto__Trace__V1__Status
#define METRIC Opentelemetry__Proto__Metrics__V1__Metric
#define SUM Opentelemetry__Proto__Metrics__V1__Sum
#define HIST Opentelemetry__Proto__Metrics__V1__Histogram
#define NDP Opentelemetry__Proto__Metrics__V1__NumberDataPoint
#define HDP Opentelemetry__Proto__Metrics__V1__HistogramDataPoint
#define RMETRICS Opentelemetry__Proto__Metrics__V1__ResourceMetrics
#define SMETRICS Opentelemetry__Proto__Metrics__V1__ScopeMetrics
#define MREQ Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest

/* ---- a chained bump arena ---- */

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct block *head;
    bool failed;
};

static void *arena_alloc(struct arena *a, size_t n)
{
    struct block *b = a->head;
    void *p;

    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = malloc(sizeof(*b) + cap);
        if (!b) {
            a->failed = true;
            return NULL;
        }
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static void arena_free(struct arena *a)
{
    while (a->head) {
        struct block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* Strings handed to protobuf-c are read only; its struct fields are not const. */
static char *str(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

/* ---- common ---- */

static KV *kv_str(struct arena *a, const char *key, const char *v)
{
    KV *kv = arena_alloc(a, sizeof(*kv));
    ANY *any = arena_alloc(a, sizeof(*any));

    if (!kv || !any)
        return NULL;
    opentelemetry__proto__common__v1__key_value__init(kv);
    opentelemetry__proto__common__v1__any_value__init(any);
    kv->key = str(key);
    kv->value = any;
    any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    any->string_value = str(v);
    return kv;
}

static ANY *any_of(struct arena *a, const struct gw_span_attr *at)
{
    ANY *any = arena_alloc(a, sizeof(*any));

    if (!any)
        return NULL;
    opentelemetry__proto__common__v1__any_value__init(any);
    switch (at->type) {
    case GW_SA_STR:
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
        any->string_value = str(at->v.s);
        break;
    case GW_SA_INT:
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
        any->int_value = at->v.i;
        break;
    case GW_SA_BOOL:
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE;
        any->bool_value = at->v.b;
        break;
    case GW_SA_DOUBLE:
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
        any->double_value = at->v.d;
        break;
    case GW_SA_STRS: {
        ARR *arr = arena_alloc(a, sizeof(*arr));
        ANY **items = arena_alloc(a, (at->n ? at->n : 1) * sizeof(*items));
        if (!arr || !items)
            return NULL;
        opentelemetry__proto__common__v1__array_value__init(arr);
        for (size_t i = 0; i < at->n; i++) {
            const char *v;
            size_t l;
            items[i] = arena_alloc(a, sizeof(ANY));
            if (!items[i])
                return NULL;
            opentelemetry__proto__common__v1__any_value__init(items[i]);
            gw_span_strs_item(at, i, &v, &l);
            items[i]->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
            items[i]->string_value = str(v);
        }
        arr->n_values = at->n;
        arr->values = items;
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE;
        any->array_value = arr;
        break;
    }
    }
    return any;
}

static KV **kv_list(struct arena *a, const struct gw_span_attr *const *at, size_t n)
{
    KV **out = arena_alloc(a, (n ? n : 1) * sizeof(*out));

    for (size_t i = 0; out && i < n; i++) {
        out[i] = arena_alloc(a, sizeof(KV));
        if (!out[i])
            return NULL;
        opentelemetry__proto__common__v1__key_value__init(out[i]);
        out[i]->key = str(at[i]->key);
        out[i]->value = any_of(a, at[i]);
    }
    return out;
}

static KV **span_attrs(struct arena *a, const struct gw_span_attr *at, size_t n)
{
    const struct gw_span_attr *p[GW_SPAN_MAX_EVENT_ATTRS + GW_SPAN_MAX_ATTRS];

    for (size_t i = 0; i < n && i < sizeof(p) / sizeof(p[0]); i++)
        p[i] = &at[i];
    return kv_list(a, p, n);
}

static RES *resource(struct arena *a, const struct gw_otlp_source *src)
{
    RES *r = arena_alloc(a, sizeof(*r));
    size_t n = src->resource ? src->resource->n : 0;
    KV **kvs = arena_alloc(a, (n ? n : 1) * sizeof(*kvs));

    if (!r || !kvs)
        return NULL;
    opentelemetry__proto__resource__v1__resource__init(r);
    for (size_t i = 0; i < n; i++)
        kvs[i] = kv_str(a, src->resource->items[i].key, src->resource->items[i].value);
    r->n_attributes = n;
    r->attributes = kvs;
    return r;
}

static SCOPE *scope(struct arena *a, const struct gw_otlp_source *src)
{
    SCOPE *s = arena_alloc(a, sizeof(*s));

    if (!s)
        return NULL;
    opentelemetry__proto__common__v1__instrumentation_scope__init(s);
    s->name = str(src->scope_name);
    s->version = str(src->scope_version);
    return s;
}

/* Packs m into an owned buffer. */
static bool pack(const ProtobufCMessage *m, size_t max_bytes, uint8_t **out, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);

    if (n > max_bytes)
        return false;
    *out = malloc(n ? n : 1);
    if (!*out)
        return false;
    *len = protobuf_c_message_pack(m, *out);
    return *len == n;
}

/* ---- traces ------------------------------------------------------------------------------------
 *
 * protobuf-c packs generically (each message walks its descriptor, each nested message is sized
 * again at every level above it): some 1,200 instructions per attribute when a whole
 * ExportTraceServiceRequest is packed at once. What a span carries mostly repeats, so the
 * encoder packs each piece once and reuses the bytes: the attributes of a template (an
 * endpoint's or a backend's route, method, stage, static attributes), recent attribute values
 * (the same url.full, server.address, status codes), and each span whole, into a request whose
 * spans are `bytes` (gw/otlp/packed.proto: the same bytes on the wire). Every byte still comes
 * out of protobuf-c's packer. */

#define ATTR_SLOTS 8192          /* cached attribute encodings (a power of two) */
#define ATTR_POOL (4u << 20)     /* bytes they may hold; the cache starts over when full */
#define ATTR_VALUE_MAX 512       /* longer values are packed each time */
#define TMPL_SLOTS 256           /* cached template encodings (a power of two) */

struct attr_entry {
    uint64_t hash; /* 0 = empty */
    uint32_t key_off, key_len, val_off, val_len, enc_off, enc_len;
    uint8_t type;
};

struct tmpl_entry {
    const struct gw_span_tmpl *t; /* NULL = empty */
    uint8_t *enc;                 /* owned */
    size_t len;
};

struct gw_otlp_enc {
    struct gw_otlp_source src;
    struct arena a; /* one body's messages and span bytes, reused from body to body */
    struct attr_entry *attrs;
    uint8_t *pool;
    size_t pool_used, n_used;
    struct tmpl_entry tmpls[TMPL_SLOTS];
    uint64_t hits, misses;
};

/* Empties the arena but keeps its first block for the next body. */
static void arena_reset(struct arena *a)
{
    while (a->head && a->head->next) {
        struct block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
    if (a->head)
        a->head->used = 0;
    a->failed = false;
}

/* Packs m into arena memory; NULL on failure. */
static uint8_t *pack_arena(struct arena *a, const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *p = arena_alloc(a, n ? n : 1);

    if (!p)
        return NULL;
    *len = protobuf_c_message_pack(m, p);
    return *len == n ? p : NULL;
}

struct gw_otlp_enc *gw_otlp_enc_new(const struct gw_otlp_source *src)
{
    struct gw_otlp_enc *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->src = *src;
    e->attrs = calloc(ATTR_SLOTS, sizeof(*e->attrs));
    e->pool = malloc(ATTR_POOL);
    if (!e->attrs || !e->pool) {
        gw_otlp_enc_free(e);
        return NULL;
    }
    return e;
}

void gw_otlp_enc_free(struct gw_otlp_enc *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < TMPL_SLOTS; i++)
        free(e->tmpls[i].enc);
    arena_free(&e->a);
    free(e->attrs);
    free(e->pool);
    free(e);
}

void gw_otlp_enc_stats(const struct gw_otlp_enc *e, uint64_t *hits, uint64_t *misses)
{
    *hits = e ? e->hits : 0;
    *misses = e ? e->misses : 0;
}

/* SpanAttributes{attributes: the n attributes} packed into arena memory. */
static uint8_t *pack_attrs(struct arena *a, const struct gw_span_attr *const *at, size_t n,
                           size_t *len)
{
    Gw__Otlp__SpanAttributes sa;

    gw__otlp__span_attributes__init(&sa);
    sa.n_attributes = n;
    sa.attributes = kv_list(a, at, n);
    if (!sa.attributes)
        return NULL;
    return pack_arena(a, &sa.base, len);
}

/* FNV-1a over bytes, continued from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* The value bytes an attribute is recognised by (scalars by their bits); false: not cached. */
static bool value_bytes(const struct gw_span_attr *at, const void **v, size_t *n)
{
    switch (at->type) {
    case GW_SA_STR:
        *v = at->v.s;
        *n = at->n;
        return at->n <= ATTR_VALUE_MAX;
    case GW_SA_INT:
        *v = &at->v.i;
        *n = sizeof(at->v.i);
        return true;
    case GW_SA_BOOL:
        *v = &at->v.b;
        *n = sizeof(at->v.b);
        return true;
    case GW_SA_DOUBLE:
        *v = &at->v.d;
        *n = sizeof(at->v.d);
        return true;
    default: /* string arrays: header values, packed each time */
        return false;
    }
}

/* The encoding of one attribute (a SpanAttributes with it alone): from the cache, else packed
 * and kept. Borrowed until the next body (arena) or the cache's next start over (pool). */
static const uint8_t *attr_enc(struct gw_otlp_enc *e, const struct gw_span_attr *at, size_t *len)
{
    const void *v;
    size_t vn, kn = strlen(at->key), need;
    uint64_t h;
    uint32_t i;
    struct attr_entry *slot;
    const uint8_t *enc;

    if (!value_bytes(at, &v, &vn))
        return pack_attrs(&e->a, &at, 1, len);
    h = fnv(fnv(0xcbf29ce484222325ull ^ at->type, at->key, kn), v, vn) | 1;
    for (i = (uint32_t)(h >> 20) & (ATTR_SLOTS - 1);; i = (i + 1) & (ATTR_SLOTS - 1)) {
        slot = &e->attrs[i];
        if (slot->hash == 0)
            break;
        if (slot->hash == h && slot->type == at->type && slot->key_len == kn &&
            slot->val_len == vn && memcmp(e->pool + slot->key_off, at->key, kn) == 0 &&
            memcmp(e->pool + slot->val_off, v, vn) == 0) {
            e->hits++;
            *len = slot->enc_len;
            return e->pool + slot->enc_off;
        }
    }
    e->misses++;
    enc = pack_attrs(&e->a, &at, 1, len);
    need = kn + vn + (enc ? *len : 0);
    if (!enc || need > ATTR_POOL / 4)
        return enc;
    /* a table half full or a full pool: start over (what repeats comes back at once) */
    if (e->pool_used + need > ATTR_POOL || e->n_used >= ATTR_SLOTS / 2) {
        memset(e->attrs, 0, ATTR_SLOTS * sizeof(*e->attrs));
        e->pool_used = 0;
        e->n_used = 0;
        slot = &e->attrs[(uint32_t)(h >> 20) & (ATTR_SLOTS - 1)];
    }
    e->n_used++;
    slot->hash = h;
    slot->type = at->type;
    slot->key_off = (uint32_t)e->pool_used;
    slot->key_len = (uint32_t)kn;
    memcpy(e->pool + e->pool_used, at->key, kn);
    e->pool_used += kn;
    slot->val_off = (uint32_t)e->pool_used;
    slot->val_len = (uint32_t)vn;
    memcpy(e->pool + e->pool_used, v, vn);
    e->pool_used += vn;
    slot->enc_off = (uint32_t)e->pool_used;
    slot->enc_len = (uint32_t)*len;
    memcpy(e->pool + e->pool_used, enc, *len);
    e->pool_used += *len;
    return enc;
}

/* The encoding of a template's attributes, packed on its first use. */
static const struct tmpl_entry *tmpl_enc(struct gw_otlp_enc *e, const struct gw_span_tmpl *t)
{
    uint32_t i = (uint32_t)(((uintptr_t)t >> 4) * 0x9E3779B1u) & (TMPL_SLOTS - 1);
    const struct gw_span_attr *p[GW_SPAN_MAX_ATTRS];
    struct arena tmp = {0};
    uint8_t *enc;
    size_t len = 0, n = t->n < GW_SPAN_MAX_ATTRS ? t->n : GW_SPAN_MAX_ATTRS;

    for (size_t k = 0; k < TMPL_SLOTS; k++, i = (i + 1) & (TMPL_SLOTS - 1)) {
        if (e->tmpls[i].t == t)
            return &e->tmpls[i];
        if (!e->tmpls[i].t)
            break;
    }
    if (e->tmpls[i].t) /* full: more templates than slots, pack each time */
        i = TMPL_SLOTS;
    for (size_t k = 0; k < n; k++)
        p[k] = &t->attrs[k];
    enc = pack_attrs(&tmp, p, n, &len);
    if (!enc) {
        arena_free(&tmp);
        return NULL;
    }
    if (i == TMPL_SLOTS) {
        static _Thread_local struct tmpl_entry once;
        free(once.enc);
        once.enc = NULL;
        once.t = t;
        once.len = len;
        once.enc = malloc(len ? len : 1);
        if (once.enc)
            memcpy(once.enc, enc, len);
        arena_free(&tmp);
        return once.enc ? &once : NULL;
    }
    e->tmpls[i].enc = malloc(len ? len : 1);
    if (e->tmpls[i].enc) {
        memcpy(e->tmpls[i].enc, enc, len);
        e->tmpls[i].len = len;
        e->tmpls[i].t = t;
    }
    arena_free(&tmp);
    return e->tmpls[i].enc ? &e->tmpls[i] : NULL;
}

/* The Span message without its attributes. */
static SPAN *span_core(struct arena *a, const struct gw_span *s)
{
    SPAN *m = arena_alloc(a, sizeof(*m));
    STATUS *st = arena_alloc(a, sizeof(*st));
    EVENT **ev = arena_alloc(a, (s->n_events ? s->n_events : 1) * sizeof(*ev));
    LINK **ln = arena_alloc(a, (s->n_links ? s->n_links : 1) * sizeof(*ln));

    if (!m || !st || !ev || !ln)
        return NULL;
    opentelemetry__proto__trace__v1__span__init(m);
    opentelemetry__proto__trace__v1__status__init(st);
    m->trace_id.data = (uint8_t *)(uintptr_t)s->trace_id;
    m->trace_id.len = 16;
    m->span_id.data = (uint8_t *)(uintptr_t)s->span_id;
    m->span_id.len = 8;
    if (s->has_parent) {
        m->parent_span_id.data = (uint8_t *)(uintptr_t)s->parent_id;
        m->parent_span_id.len = 8;
    }
    m->trace_state = str(s->tracestate);
    /* OpenTelemetry Go: the parent's "is remote" bits, not the trace flags */
    m->flags = 0x100u | (s->parent_remote ? 0x200u : 0u);
    m->name = str(s->name);
    m->kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)s->kind;
    m->start_time_unix_nano = (uint64_t)(s->start_ns > 0 ? s->start_ns : 0);
    m->end_time_unix_nano = (uint64_t)(s->end_ns > 0 ? s->end_ns : 0);
    m->dropped_attributes_count = s->dropped_attrs;
    for (uint16_t i = 0; i < s->n_events; i++) {
        ev[i] = arena_alloc(a, sizeof(EVENT));
        if (!ev[i])
            return NULL;
        opentelemetry__proto__trace__v1__span__event__init(ev[i]);
        ev[i]->time_unix_nano = (uint64_t)s->events[i].time_ns;
        ev[i]->name = str(s->events[i].name);
        ev[i]->n_attributes = s->events[i].n_attrs;
        ev[i]->attributes = span_attrs(a, s->events[i].attrs, s->events[i].n_attrs);
    }
    m->n_events = s->n_events;
    m->events = ev;
    m->dropped_events_count = s->dropped_events;
    for (uint16_t i = 0; i < s->n_links; i++) {
        ln[i] = arena_alloc(a, sizeof(LINK));
        if (!ln[i])
            return NULL;
        opentelemetry__proto__trace__v1__span__link__init(ln[i]);
        ln[i]->trace_id.data = (uint8_t *)(uintptr_t)s->links[i].trace_id;
        ln[i]->trace_id.len = 16;
        ln[i]->span_id.data = (uint8_t *)(uintptr_t)s->links[i].span_id;
        ln[i]->span_id.len = 8;
        ln[i]->flags = s->links[i].flags;
    }
    m->n_links = s->n_links;
    m->links = ln;
    m->dropped_links_count = s->dropped_links;
    st->code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)s->status;
    st->message = str(s->status_msg);
    m->status = st;
    return m;
}

/* One span's bytes: its other fields, then its attributes (the template's and its own, or, when
 * a key may repeat, the resolved list), each encoding reused where it can be. */
static bool span_bytes(struct gw_otlp_enc *e, const struct gw_span *s, ProtobufCBinaryData *out)
{
    const uint8_t *piece[GW_SPAN_MAX_ALL_ATTRS + 2];
    size_t plen[GW_SPAN_MAX_ALL_ATTRS + 2], np = 0, total;
    SPAN *core = span_core(&e->a, s);
    uint8_t *p;

    if (!core || !(piece[np] = pack_arena(&e->a, &core->base, &plen[np])))
        return false;
    np++;
    if (s->may_dup) {
        const struct gw_span_attr *all[GW_SPAN_MAX_ALL_ATTRS];
        size_t na = gw_span_attrs(s, all, GW_SPAN_MAX_ALL_ATTRS);
        for (size_t i = 0; i < na; i++) {
            if (!(piece[np] = attr_enc(e, all[i], &plen[np])))
                return false;
            np++;
        }
    } else {
        if (s->tmpl && s->tmpl->n) {
            const struct tmpl_entry *t = tmpl_enc(e, s->tmpl);
            if (!t)
                return false;
            piece[np] = t->enc;
            plen[np++] = t->len;
        }
        for (uint16_t i = 0; i < s->n_attrs; i++) {
            if (!(piece[np] = attr_enc(e, &s->attrs[i], &plen[np])))
                return false;
            np++;
        }
    }
    total = 0;
    for (size_t i = 0; i < np; i++)
        total += plen[i];
    p = arena_alloc(&e->a, total ? total : 1);
    if (!p)
        return false;
    out->data = p;
    out->len = total;
    for (size_t i = 0; i < np; i++) {
        memcpy(p, piece[i], plen[i]);
        p += plen[i];
    }
    return true;
}

bool gw_otlp_enc_traces(struct gw_otlp_enc *e, struct gw_span *const *spans, size_t n,
                        size_t max_bytes, uint8_t **out, size_t *len)
{
    Gw__Otlp__PackedTraceRequest req;
    Gw__Otlp__PackedResourceSpans rs;
    Gw__Otlp__PackedScopeSpans ss;
    Gw__Otlp__PackedResourceSpans *rsv[1] = {&rs};
    Gw__Otlp__PackedScopeSpans *ssv[1] = {&ss};
    ProtobufCBinaryData *sv;
    bool ok = false;

    gw__otlp__packed_trace_request__init(&req);
    gw__otlp__packed_resource_spans__init(&rs);
    gw__otlp__packed_scope_spans__init(&ss);
    *out = NULL;
    *len = 0;
    arena_reset(&e->a);
    sv = arena_alloc(&e->a, (n ? n : 1) * sizeof(*sv));
    rs.resource = resource(&e->a, &e->src);
    ss.scope = scope(&e->a, &e->src);
    if (!sv || !rs.resource || !ss.scope)
        goto out;
    rs.schema_url = str(e->src.schema_url);
    for (size_t i = 0; i < n; i++) {
        if (!span_bytes(e, spans[i], &sv[i]))
            goto out;
    }
    ss.n_spans = n;
    ss.spans = sv;
    rs.n_scope_spans = 1;
    rs.scope_spans = ssv;
    req.n_resource_spans = 1;
    req.resource_spans = rsv;
    ok = !e->a.failed && pack(&req.base, max_bytes, out, len);
out:
    if (!ok) {
        free(*out);
        *out = NULL;
    }
    return ok;
}

/* ---- metrics ---- */

static KV **point_attrs(struct arena *a, const struct gw_metrics_group *g)
{
    KV **out = arena_alloc(a, (g->n_attrs ? g->n_attrs : 1) * sizeof(*out));

    for (unsigned i = 0; out && i < g->n_attrs; i++) {
        struct gw_span_attr at = {0};
        out[i] = arena_alloc(a, sizeof(KV));
        if (!out[i])
            return NULL;
        opentelemetry__proto__common__v1__key_value__init(out[i]);
        out[i]->key = str(g->attrs[i].key);
        switch (g->attrs[i].type) {
        case GW_ATTR_STR:
            at.type = GW_SA_STR;
            at.v.s = g->attrs[i].str;
            break;
        case GW_ATTR_INT:
            at.type = GW_SA_INT;
            at.v.i = g->attrs[i].i;
            break;
        case GW_ATTR_BOOL:
            at.type = GW_SA_BOOL;
            at.v.b = g->attrs[i].b;
            break;
        case GW_ATTR_DOUBLE:
            at.type = GW_SA_DOUBLE;
            at.v.d = g->attrs[i].d;
            break;
        }
        out[i]->value = any_of(a, &at);
    }
    return out;
}

static METRIC *metric_msg(struct arena *a, const struct gw_metrics_snapshot *snap, size_t first,
                          size_t count, int64_t now)
{
    const struct gw_metric_def *d = snap->points[first].def;
    METRIC *m = arena_alloc(a, sizeof(*m));
    bool hist = d->kind == GW_METRIC_HIST_INT || d->kind == GW_METRIC_HIST_FLOAT;

    if (!m)
        return NULL;
    opentelemetry__proto__metrics__v1__metric__init(m);
    m->name = str(d->name);
    m->description = str(d->help);
    m->unit = str(d->unit);
    if (hist) {
        HIST *h = arena_alloc(a, sizeof(*h));
        HDP **dps = arena_alloc(a, count * sizeof(*dps));
        if (!h || !dps)
            return NULL;
        opentelemetry__proto__metrics__v1__histogram__init(h);
        for (size_t i = 0; i < count; i++) {
            const struct gw_metrics_point *p = &snap->points[first + i];
            HDP *dp = dps[i] = arena_alloc(a, sizeof(HDP));
            if (!dp)
                return NULL;
            opentelemetry__proto__metrics__v1__histogram_data_point__init(dp);
            dp->attributes = point_attrs(a, p->group);
            dp->n_attributes = p->group->n_attrs;
            dp->start_time_unix_nano = (uint64_t)snap->start_unix_ns;
            dp->time_unix_nano = (uint64_t)now;
            dp->count = p->count;
            dp->_sum_case = OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___SUM_SUM;
            dp->sum = d->kind == GW_METRIC_HIST_INT ? (double)p->ival : p->dval;
            dp->n_bucket_counts = d->n_bounds + 1;
            dp->bucket_counts = p->buckets;
            dp->n_explicit_bounds = d->n_bounds;
            dp->explicit_bounds = (double *)(uintptr_t)d->bounds;
        }
        h->n_data_points = count;
        h->data_points = dps;
        h->aggregation_temporality =
            OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_CUMULATIVE;
        m->data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM;
        m->histogram = h;
    } else {
        SUM *s = arena_alloc(a, sizeof(*s));
        NDP **dps = arena_alloc(a, count * sizeof(*dps));
        if (!s || !dps)
            return NULL;
        opentelemetry__proto__metrics__v1__sum__init(s);
        for (size_t i = 0; i < count; i++) {
            const struct gw_metrics_point *p = &snap->points[first + i];
            NDP *dp = dps[i] = arena_alloc(a, sizeof(NDP));
            if (!dp)
                return NULL;
            opentelemetry__proto__metrics__v1__number_data_point__init(dp);
            dp->attributes = point_attrs(a, p->group);
            dp->n_attributes = p->group->n_attrs;
            dp->start_time_unix_nano = (uint64_t)snap->start_unix_ns;
            dp->time_unix_nano = (uint64_t)now;
            if (d->kind == GW_METRIC_COUNTER_FLOAT) {
                dp->value_case =
                    OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_DOUBLE;
                dp->as_double = p->dval;
            } else {
                dp->value_case = OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT;
                dp->as_int = p->ival;
            }
        }
        s->n_data_points = count;
        s->data_points = dps;
        s->aggregation_temporality =
            OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_CUMULATIVE;
        s->is_monotonic = d->kind != GW_METRIC_UPDOWN_INT;
        m->data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM;
        m->sum = s;
    }
    return m;
}

bool gw_otlp_metrics_pb(const struct gw_otlp_source *src, const struct gw_metrics_snapshot *snap,
                        int64_t now, size_t max_bytes, uint8_t **out, size_t *len)
{
    struct arena a = {0};
    MREQ req;
    RMETRICS *rm = arena_alloc(&a, sizeof(*rm));
    SMETRICS *sm = arena_alloc(&a, sizeof(*sm));
    RMETRICS **rmv = arena_alloc(&a, sizeof(*rmv));
    SMETRICS **smv = arena_alloc(&a, sizeof(*smv));
    METRIC **mv = arena_alloc(&a, (snap->n ? snap->n : 1) * sizeof(*mv));
    size_t nm = 0;
    bool ok = false;

    *out = NULL;
    *len = 0;
    if (!rm || !sm || !rmv || !smv || !mv)
        goto out;
    opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__init(&req);
    opentelemetry__proto__metrics__v1__resource_metrics__init(rm);
    opentelemetry__proto__metrics__v1__scope_metrics__init(sm);
    rm->resource = resource(&a, src);
    rm->schema_url = str(src->schema_url);
    sm->scope = scope(&a, src);
    /* one Metric per instrument: the snapshot keeps an instrument's points together */
    for (size_t i = 0; i < snap->n;) {
        size_t j = i + 1;
        while (j < snap->n && strcmp(snap->points[j].name, snap->points[i].name) == 0)
            j++;
        mv[nm++] = metric_msg(&a, snap, i, j - i, now);
        i = j;
    }
    sm->n_metrics = nm;
    sm->metrics = mv;
    smv[0] = sm;
    rm->n_scope_metrics = 1;
    rm->scope_metrics = smv;
    rmv[0] = rm;
    req.n_resource_metrics = 1;
    req.resource_metrics = rmv;
    if (a.failed)
        goto out;
    ok = pack(&req.base, max_bytes, out, len);
out:
    arena_free(&a);
    if (!ok) {
        free(*out);
        *out = NULL;
    }
    return ok;
}
