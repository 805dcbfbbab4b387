/* gw_otlp_traces.c - ExportTraceServiceRequest bodies, with the spans written straight into
 * protobuf's wire format.
 *
 * Every request is traced by default (trace_sample_rate 1), so the encoder runs for each: packed
 * through protobuf-c's generic packer, which walks each message's descriptor and sizes every
 * nested message again at each level above it, a span cost more than the gateway spends on
 * the request. A span's shape is small and fixed (OTLP's trace.proto: ids, name, kind, times,
 * attributes, events, links, status), so each is sized once and written field by field, the
 * way protobuf-c would write it (fields in number order, proto3's zero values left out, a
 * oneof's value always written). The resource and the scope never change: protobuf-c packs
 * them once per encoder. test_gw_otlp.c decodes the bodies with protobuf-c's unpacker of
 * OTLP's own messages and compares them with protobuf-c's packing of the same spans. */
#include "gw_otlp_int.h"

#include "cmn_buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the wire format ---------------------------------------------------------------------- */

/* Wire types, and the tags as one byte (field numbers below 16). */
#define VARINT 0
#define I64 1
#define LEN 2
#define I32 5
#define TAG(field, type) ((uint8_t)((field) << 3 | (type)))

static size_t vlen(uint64_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *put_varint(uint8_t *w, uint64_t v)
{
    while (v >= 0x80) {
        *w++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *w++ = (uint8_t)v;
    return w;
}

static uint8_t *put_fixed64(uint8_t *w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *w++ = (uint8_t)(v >> (8 * i));
    return w;
}

static uint8_t *put_fixed32(uint8_t *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *w++ = (uint8_t)(v >> (8 * i));
    return w;
}

/* A length-delimited field's size: tag, length, n bytes. */
static size_t len_field(size_t n)
{
    return 1 + vlen(n) + n;
}

static uint8_t *put_len(uint8_t *w, uint8_t tag, size_t n)
{
    *w++ = tag;
    return put_varint(w, n);
}

/* n bytes; short ones (most keys and values) with a few word moves instead of a call. */
static inline void copy(uint8_t *w, const void *p, size_t n)
{
    const uint8_t *s = p;
    uint64_t a, b;
    uint32_t x, y;

    if (n >= 8 && n <= 16) { /* two words that may overlap */
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(w, &a, 8);
        memcpy(w + n - 8, &b, 8);
    } else if (n > 16 && n <= 32) { /* the same, twice: attribute keys are about this long */
        uint64_t c, d;
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + n - 16, 8);
        memcpy(&d, s + n - 8, 8);
        memcpy(w, &a, 8);
        memcpy(w + 8, &b, 8);
        memcpy(w + n - 16, &c, 8);
        memcpy(w + n - 8, &d, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(w, &x, 4);
        memcpy(w + n - 4, &y, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            w[i] = s[i];
    } else {
        memcpy(w, s, n);
    }
}

static uint8_t *put_bytes(uint8_t *w, uint8_t tag, const void *p, size_t n)
{
    w = put_len(w, tag, n);
    copy(w, p, n);
    return w + n;
}

/* A proto3 string field: left out when empty. */
static size_t str_size(size_t n)
{
    return n ? len_field(n) : 0;
}

static uint8_t *put_str(uint8_t *w, uint8_t tag, const char *s, size_t n)
{
    return n ? put_bytes(w, tag, s, n) : w;
}

static size_t cstrlen(const char *s)
{
    return s ? strlen(s) : 0;
}

/* ---- attributes: KeyValue {1 key, 2 value: AnyValue} ------------------------------------- */

/* A string array's ArrayValue {1 values: AnyValue} body size. */
static size_t strs_size(const struct gw_span_attr *a)
{
    size_t arr = 0;

    for (size_t i = 0; i < a->n; i++) {
        const char *v;
        size_t l;
        gw_span_strs_item(a, i, &v, &l);
        arr += len_field(len_field(strlen(v)));
    }
    return arr;
}

/* AnyValue's oneof: 1 string_value, 2 bool_value, 3 int_value, 4 double_value, 5 array_value.
 * Its body size. A string's length is the attribute's own (gw_span.h: every string value is
 * counted and NUL-free). */
static size_t any_size(const struct gw_span_attr *a)
{
    switch (a->type) {
    case GW_SA_STR:
        return len_field(a->n);
    case GW_SA_INT:
        return 1 + vlen((uint64_t)a->v.i);
    case GW_SA_BOOL:
        return 2;
    case GW_SA_DOUBLE:
        return 9;
    case GW_SA_STRS:
        return len_field(strs_size(a));
    default:
        return 0;
    }
}

static uint8_t *put_any(uint8_t *w, const struct gw_span_attr *a)
{
    double d;
    uint64_t bits;

    switch (a->type) {
    case GW_SA_STR:
        return put_bytes(w, TAG(1, LEN), a->n ? a->v.s : "", a->n);
    case GW_SA_INT:
        *w++ = TAG(3, VARINT);
        return put_varint(w, (uint64_t)a->v.i);
    case GW_SA_BOOL:
        *w++ = TAG(2, VARINT);
        *w++ = a->v.b ? 1 : 0;
        return w;
    case GW_SA_DOUBLE:
        d = a->v.d;
        memcpy(&bits, &d, 8);
        *w++ = TAG(4, I64);
        return put_fixed64(w, bits);
    case GW_SA_STRS:
        w = put_len(w, TAG(5, LEN), strs_size(a));
        for (size_t i = 0; i < a->n; i++) {
            const char *v;
            size_t l;
            gw_span_strs_item(a, i, &v, &l);
            l = strlen(v);
            w = put_len(w, TAG(1, LEN), len_field(l));
            w = put_bytes(w, TAG(1, LEN), v, l);
        }
        return w;
    default:
        return w;
    }
}

/* An attribute sized once for both passes: its key's length, its AnyValue's and KeyValue's
 * body sizes. */
struct sized {
    const struct gw_span_attr *a;
    uint32_t key, any, kv;
};

/* Sizes n attributes into z; returns the size of their KeyValue fields. */
static size_t size_attrs(const struct gw_span_attr *const *at, size_t n, struct sized *z)
{
    size_t total = 0;

    for (size_t i = 0; i < n; i++) {
        size_t key = cstrlen(at[i]->key), any = any_size(at[i]);
        size_t kv = str_size(key) + len_field(any);
        z[i] = (struct sized){at[i], (uint32_t)key, (uint32_t)any, (uint32_t)kv};
        total += len_field(kv);
    }
    return total;
}

/* The attributes as KeyValue fields numbered `field`. */
static uint8_t *put_attrs(uint8_t *w, uint8_t field, const struct sized *z, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        w = put_len(w, TAG(field, LEN), z[i].kv);
        w = put_str(w, TAG(1, LEN), z[i].a->key, z[i].key);
        w = put_len(w, TAG(2, LEN), z[i].any);
        w = put_any(w, z[i].a);
    }
    return w;
}

/* ---- a span ----------------------------------------------------------------------------------
 * Span: 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind, 7
 * start_time_unix_nano, 8 end_time_unix_nano, 9 attributes, 10 dropped_attributes_count, 11
 * events, 12 dropped_events_count, 13 links, 14 dropped_links_count, 15 status, 16 flags.
 * Event: 1 time_unix_nano, 2 name, 3 attributes. Link: 1 trace_id, 2 span_id, 6 flags.
 * Status: 2 message, 3 code. */

/* OpenTelemetry Go's span flags: the parent's "is remote" bits, not the trace flags. */
static uint32_t span_flags(const struct gw_span *s)
{
    return 0x100u | (s->parent_remote ? 0x200u : 0u);
}

static size_t u_field(uint64_t v)
{
    return v ? 1 + vlen(v) : 0;
}

static uint8_t *put_u(uint8_t *w, uint8_t tag, uint64_t v)
{
    if (!v)
        return w;
    *w++ = tag;
    return put_varint(w, v);
}

/* An event's attributes sized into z; its body size. */
static size_t event_size(const struct gw_span_event *ev, struct sized *z)
{
    const struct gw_span_attr *at[GW_SPAN_MAX_EVENT_ATTRS];

    for (uint8_t i = 0; i < ev->n_attrs; i++)
        at[i] = &ev->attrs[i];
    return (ev->time_ns ? 9 : 0) + str_size(cstrlen(ev->name)) + size_attrs(at, ev->n_attrs, z);
}

static size_t link_size(const struct gw_span_link *l)
{
    return len_field(16) + len_field(8) + (l->flags ? 5 : 0);
}

static size_t status_size(const struct gw_span *s)
{
    return str_size(cstrlen(s->status_msg)) + u_field(s->status);
}

/* One span, sized: its attributes (z), its events' (ez), the message's size. */
struct span_plan {
    const uint8_t *tmpl;    /* the template's KeyValue fields, encoded once; NULL: in z */
    size_t tmpl_len, split; /* z[0..split) go before them */
    struct sized z[GW_SPAN_MAX_ALL_ATTRS];
    struct sized ez[GW_SPAN_MAX_EVENTS][GW_SPAN_MAX_EVENT_ATTRS];
    size_t ev[GW_SPAN_MAX_EVENTS];
    size_t n, name, tracestate, status, size;
};

#define TMPL_SLOTS 256 /* templates whose encoding is kept (a power of two) */

/* A template's attributes as Span.attributes fields, in pool. */
struct tmpl_enc {
    const struct gw_span_tmpl *t; /* NULL: a free slot */
    uint32_t off, len;
};

struct gw_otlp_enc {
    struct gw_otlp_source src;
    uint8_t *head;          /* the Resource and the InstrumentationScope, packed once */
    size_t res_len, sc_len; /* head holds res_len bytes of Resource, then sc_len of scope */
    struct cmn_buf spans;   /* one body's spans, each with its tag and length */
    struct span_plan plan;  /* the span being written */
    /* Templates are immutable while the encoder lives (gw_span.h): each is encoded once. */
    struct tmpl_enc tmpls[TMPL_SLOTS];
    size_t n_tmpls;
    struct cmn_buf pool; /* the templates' encodings (offsets stay below 2^31: its cap) */
};

/* The template's encoded attributes, encoded on first use; NULL when it cannot be kept (the
 * caller encodes its attributes with the span's). */
static const uint8_t *tmpl_bytes(struct gw_otlp_enc *e, const struct gw_span_tmpl *t, size_t *len)
{
    const struct gw_span_attr *at[GW_SPAN_MAX_ALL_ATTRS];
    uintptr_t h = (uintptr_t)t;
    struct tmpl_enc *slot;
    size_t need, n = t->n;
    uint8_t *w;

    h ^= h >> 17;
    for (size_t i = (size_t)(h * 0x9E3779B97F4A7C15ull >> 56) & (TMPL_SLOTS - 1);;
         i = (i + 1) & (TMPL_SLOTS - 1)) {
        slot = &e->tmpls[i];
        if (slot->t == t) {
            *len = slot->len;
            return (const uint8_t *)e->pool.data + slot->off;
        }
        if (!slot->t)
            break;
    }
    if (e->n_tmpls >= TMPL_SLOTS / 2 || n > GW_SPAN_MAX_ALL_ATTRS)
        return NULL;
    for (size_t i = 0; i < n; i++)
        at[i] = &t->attrs[i];
    need = size_attrs(at, n, e->plan.z);
    if (!(w = (uint8_t *)cmn_buf_room(&e->pool, need)))
        return NULL;
    if ((size_t)(put_attrs(w, 9, e->plan.z, n) - w) != need)
        abort(); /* the sizes and the writer disagree: a bug, never sent */
    *slot = (struct tmpl_enc){t, (uint32_t)e->pool.len, (uint32_t)need};
    e->pool.len += need;
    e->n_tmpls++;
    *len = need;
    return (const uint8_t *)e->pool.data + slot->off;
}

static void plan_span(struct gw_otlp_enc *e, const struct gw_span *s, struct span_plan *p)
{
    const struct gw_span_attr *at[GW_SPAN_MAX_ALL_ATTRS];
    size_t attrs;

    p->tmpl = NULL;
    p->tmpl_len = 0;
    if (!s->may_dup && s->tmpl && s->tmpl->n && s->tmpl_pos <= s->n_attrs &&
        (p->tmpl = tmpl_bytes(e, s->tmpl, &p->tmpl_len)) != NULL) {
        /* the template's bytes where gw_span_attrs would put its attributes */
        p->n = s->n_attrs;
        p->split = s->tmpl_pos;
        for (uint16_t i = 0; i < s->n_attrs; i++)
            at[i] = &s->attrs[i];
    } else {
        p->n = gw_span_attrs(s, at, GW_SPAN_MAX_ALL_ATTRS);
        p->split = p->n;
    }
    attrs = size_attrs(at, p->n, p->z) + p->tmpl_len;
    p->name = cstrlen(s->name);
    p->tracestate = cstrlen(s->tracestate);
    p->status = status_size(s);
    p->size = len_field(16) + len_field(8) + str_size(p->tracestate) +
              (s->has_parent ? len_field(8) : 0) + str_size(p->name) + u_field(s->kind) +
              (s->start_ns > 0 ? 9 : 0) + (s->end_ns > 0 ? 9 : 0) + attrs +
              u_field(s->dropped_attrs) + u_field(s->dropped_events) + u_field(s->dropped_links) +
              len_field(p->status) + 2 + 4;
    for (uint16_t i = 0; i < s->n_events && i < GW_SPAN_MAX_EVENTS; i++) {
        p->ev[i] = event_size(&s->events[i], p->ez[i]);
        p->size += len_field(p->ev[i]);
    }
    for (uint16_t i = 0; i < s->n_links; i++)
        p->size += len_field(link_size(&s->links[i]));
}

static uint8_t *put_span(uint8_t *w, const struct gw_span *s, const struct span_plan *p)
{
    w = put_bytes(w, TAG(1, LEN), s->trace_id, 16);
    w = put_bytes(w, TAG(2, LEN), s->span_id, 8);
    w = put_str(w, TAG(3, LEN), s->tracestate, p->tracestate);
    if (s->has_parent)
        w = put_bytes(w, TAG(4, LEN), s->parent_id, 8);
    w = put_str(w, TAG(5, LEN), s->name, p->name);
    w = put_u(w, TAG(6, VARINT), s->kind);
    if (s->start_ns > 0) {
        *w++ = TAG(7, I64);
        w = put_fixed64(w, (uint64_t)s->start_ns);
    }
    if (s->end_ns > 0) {
        *w++ = TAG(8, I64);
        w = put_fixed64(w, (uint64_t)s->end_ns);
    }
    w = put_attrs(w, 9, p->z, p->split);
    if (p->tmpl) {
        memcpy(w, p->tmpl, p->tmpl_len);
        w += p->tmpl_len;
    }
    w = put_attrs(w, 9, p->z + p->split, p->n - p->split);
    w = put_u(w, TAG(10, VARINT), s->dropped_attrs);
    for (uint16_t i = 0; i < s->n_events && i < GW_SPAN_MAX_EVENTS; i++) {
        const struct gw_span_event *ev = &s->events[i];
        w = put_len(w, TAG(11, LEN), p->ev[i]);
        if (ev->time_ns) {
            *w++ = TAG(1, I64);
            w = put_fixed64(w, (uint64_t)ev->time_ns);
        }
        w = put_str(w, TAG(2, LEN), ev->name, cstrlen(ev->name));
        w = put_attrs(w, 3, p->ez[i], ev->n_attrs);
    }
    w = put_u(w, TAG(12, VARINT), s->dropped_events);
    for (uint16_t i = 0; i < s->n_links; i++) {
        const struct gw_span_link *l = &s->links[i];
        w = put_len(w, TAG(13, LEN), link_size(l));
        w = put_bytes(w, TAG(1, LEN), l->trace_id, 16);
        w = put_bytes(w, TAG(2, LEN), l->span_id, 8);
        if (l->flags) {
            *w++ = TAG(6, I32);
            w = put_fixed32(w, l->flags);
        }
    }
    w = put_u(w, TAG(14, VARINT), s->dropped_links);
    w = put_len(w, TAG(15, LEN), p->status);
    w = put_str(w, TAG(2, LEN), s->status_msg, cstrlen(s->status_msg));
    w = put_u(w, TAG(3, VARINT), s->status);
    *w++ = (uint8_t)(16 << 3 | I32) | 0x80; /* field 16: a two-byte tag */
    *w++ = 1;
    return put_fixed32(w, span_flags(s));
}

/* Appends the span as ScopeSpans' field 2 to out. */
static bool add_span(struct gw_otlp_enc *e, const struct gw_span *s, struct cmn_buf *out)
{
    struct span_plan *p = &e->plan;
    size_t need;
    uint8_t *w, *end;

    plan_span(e, s, p);
    need = len_field(p->size);
    if (!(w = (uint8_t *)cmn_buf_room(out, need)))
        return false;
    w = put_len(w, TAG(2, LEN), p->size);
    end = put_span(w, s, p);
    if ((size_t)(end - w) != p->size) /* the sizes and the writer disagree: a bug, never sent */
        abort();
    out->len += need;
    return true;
}

/* ---- the encoder -------------------------------------------------------------------------- */

struct gw_otlp_enc *gw_otlp_enc_new(const struct gw_otlp_source *src)
{
    struct gw_otlp_enc *e = calloc(1, sizeof(*e));
    struct arena a = {0};
    RES *res;
    SCOPE *sc;

    if (!e)
        return NULL;
    e->src = *src;
    cmn_buf_init(&e->spans, SIZE_MAX - 1);
    cmn_buf_init(&e->pool, (size_t)INT32_MAX);
    res = gw_otlp_resource(&a, src);
    sc = gw_otlp_scope(&a, src);
    if (res && sc) {
        e->res_len = protobuf_c_message_get_packed_size(&res->base);
        e->sc_len = protobuf_c_message_get_packed_size(&sc->base);
        e->head = malloc(e->res_len + e->sc_len + 1);
        if (e->head) {
            protobuf_c_message_pack(&res->base, e->head);
            protobuf_c_message_pack(&sc->base, e->head + e->res_len);
        }
    }
    gw_otlp_arena_free(&a);
    if (!e->head) {
        gw_otlp_enc_free(e);
        return NULL;
    }
    return e;
}

void gw_otlp_enc_free(struct gw_otlp_enc *e)
{
    if (!e)
        return;
    free(e->head);
    cmn_buf_free(&e->spans);
    cmn_buf_free(&e->pool);
    free(e);
}

bool gw_otlp_enc_add(struct gw_otlp_enc *e, const struct gw_span *s)
{
    return add_span(e, s, &e->spans);
}

size_t gw_otlp_enc_pending(const struct gw_otlp_enc *e)
{
    return e->spans.len;
}

/* ExportTraceServiceRequest {1 resource_spans: ResourceSpans {1 resource, 2 scope_spans:
 * ScopeSpans {1 scope, 2 spans}, 3 schema_url}}. */
bool gw_otlp_enc_finish(struct gw_otlp_enc *e, size_t max_bytes, uint8_t **out, size_t *len)
{
    size_t schema = cstrlen(e->src.schema_url), spans = e->spans.len, ss, rs, body;
    uint8_t *w;

    *out = NULL;
    *len = 0;
    e->spans.len = 0;
    ss = len_field(e->sc_len) + spans;
    rs = len_field(e->res_len) + len_field(ss) + str_size(schema);
    body = len_field(rs);
    if (body > max_bytes || !(*out = malloc(body)))
        return false;
    w = put_len(*out, TAG(1, LEN), rs);
    w = put_bytes(w, TAG(1, LEN), e->head, e->res_len);
    w = put_len(w, TAG(2, LEN), ss);
    w = put_bytes(w, TAG(1, LEN), e->head + e->res_len, e->sc_len);
    if (spans)
        memcpy(w, e->spans.data, spans);
    w += spans;
    w = put_str(w, TAG(3, LEN), e->src.schema_url, schema);
    *len = (size_t)(w - *out);
    return *len == body;
}

bool gw_otlp_enc_traces(struct gw_otlp_enc *e, struct gw_span *const *spans, size_t n,
                        size_t max_bytes, uint8_t **out, size_t *len)
{
    e->spans.len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!gw_otlp_enc_add(e, spans[i])) {
            e->spans.len = 0;
            *out = NULL;
            *len = 0;
            return false;
        }
    }
    return gw_otlp_enc_finish(e, max_bytes, out, len);
}
