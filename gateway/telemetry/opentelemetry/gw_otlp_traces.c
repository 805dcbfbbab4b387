/* gw_otlp_traces.c - ExportTraceServiceRequest bodies, packed by protobuf-c piece by piece.
 *
 * protobuf-c packs generically: each message walks its descriptor, each nested message is sized
 * again at every level above it. Packed whole, an ExportTraceServiceRequest costs some 1,200
 * instructions per attribute and 3,000 per span besides; at a few spans per request that is
 * more than the gateway spends on the request. Most of what a span carries repeats from
 * request to request, so each span is packed in parts and the part that repeats is packed
 * once per distinct value and reused:
 *
 *   varying  ids, trace state, times, measured durations, events without attributes
 *            (gw.otlp.SpanVarying): packed for every span
 *   fixed    name, kind, flags, status, dropped counts and the other attributes (the
 *            template's and the span's own): reused while they repeat (a url.full, a status)
 *   extra    header values, events with attributes, links: when the span has any
 *
 * Serialised messages of one type that follow each other read as their merge, so the parts
 * of a span are its encoding; the spans go into the body as `bytes` (gw/otlp/packed.proto),
 * which a collector reads as OTLP's Span messages. Every byte still comes from protobuf-c's
 * packer: the reuse is of its output, keyed by the exact inputs it was packed from. */
#include "gw_otlp_int.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 16384     /* a power of two */
#define CACHE_POOL (8u << 20) /* signature and encoding bytes; the cache starts over when full */
#define SIG_MAX 8192          /* a span whose signature is longer is packed each time */

/* A cached encoding: the signature it was packed from, and the bytes. */
struct centry {
    uint64_t hash; /* 0 = empty */
    uint32_t sig_off, sig_len, enc_off, enc_len;
};

struct gw_otlp_enc {
    struct gw_otlp_source src;
    struct arena a; /* one body's messages and spans, emptied from body to body */
    struct centry *slots;
    uint8_t *pool;
    size_t pool_used, n_used;
    uint64_t hits, misses;
    uint8_t sig[SIG_MAX]; /* the signature being built */
    size_t sig_len;
    bool sig_over;
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

struct gw_otlp_enc *gw_otlp_enc_new(const struct gw_otlp_source *src)
{
    struct gw_otlp_enc *e = calloc(1, sizeof(*e));

    if (!e)
        return NULL;
    e->src = *src;
    e->slots = calloc(CACHE_SLOTS, sizeof(*e->slots));
    e->pool = malloc(CACHE_POOL);
    if (!e->slots || !e->pool) {
        gw_otlp_enc_free(e);
        return NULL;
    }
    return e;
}

void gw_otlp_enc_free(struct gw_otlp_enc *e)
{
    if (!e)
        return;
    gw_otlp_arena_free(&e->a);
    free(e->slots);
    free(e->pool);
    free(e);
}

void gw_otlp_enc_stats(const struct gw_otlp_enc *e, uint64_t *hits, uint64_t *misses)
{
    *hits = e ? e->hits : 0;
    *misses = e ? e->misses : 0;
}

/* ---- the cache: a signature's bytes -> their encoding ---------------------------------------- */

static void sig_start(struct gw_otlp_enc *e, char tag)
{
    e->sig[0] = (uint8_t)tag;
    e->sig_len = 1;
    e->sig_over = false;
}

static void sig_add(struct gw_otlp_enc *e, const void *p, size_t n)
{
    if (e->sig_over || n > SIG_MAX - e->sig_len) {
        e->sig_over = true;
        return;
    }
    memcpy(e->sig + e->sig_len, p, n);
    e->sig_len += n;
}

/* A 64-bit hash of the signature, eight bytes at a time. */
static uint64_t sig_hash(const struct gw_otlp_enc *e)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ e->sig_len, w;
    size_t i = 0;

    for (; i + 8 <= e->sig_len; i += 8) {
        memcpy(&w, e->sig + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, e->sig + i, e->sig_len - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h | 1;
}

/* The cached encoding of the current signature, or NULL (*slot: where to keep a new one). */
static const uint8_t *cache_find(struct gw_otlp_enc *e, uint64_t h, size_t *len,
                                 struct centry **slot)
{
    for (uint32_t i = (uint32_t)(h >> 40) & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1)) {
        struct centry *c = &e->slots[i];
        if (c->hash == 0) {
            *slot = c;
            return NULL;
        }
        if (c->hash == h && c->sig_len == e->sig_len &&
            memcmp(e->pool + c->sig_off, e->sig, e->sig_len) == 0) {
            *len = c->enc_len;
            return e->pool + c->enc_off;
        }
    }
}

/* Keeps enc under the current signature (when it fits: the table half full or the pool full
 * starts the cache over; what repeats is back after one miss). */
static void cache_keep(struct gw_otlp_enc *e, uint64_t h, struct centry *slot, const uint8_t *enc,
                       size_t len)
{
    size_t need = e->sig_len + len;

    if (need > CACHE_POOL / 8)
        return;
    if (e->pool_used + need > CACHE_POOL || e->n_used >= CACHE_SLOTS / 2) {
        memset(e->slots, 0, CACHE_SLOTS * sizeof(*e->slots));
        e->pool_used = e->n_used = 0;
        slot = &e->slots[(uint32_t)(h >> 40) & (CACHE_SLOTS - 1)];
    }
    *slot = (struct centry){h, (uint32_t)e->pool_used, (uint32_t)e->sig_len,
                            (uint32_t)(e->pool_used + e->sig_len), (uint32_t)len};
    memcpy(e->pool + e->pool_used, e->sig, e->sig_len);
    memcpy(e->pool + e->pool_used + e->sig_len, enc, len);
    e->pool_used += need;
    e->n_used++;
}

/* ---- packing ----------------------------------------------------------------------------------
 */

/* Packs m into arena memory of at most cap bytes (the caller's bound: no sizing pass), or,
 * when cap is 0, sized first. NULL on failure. */
static uint8_t *pack_to(struct arena *a, const ProtobufCMessage *m, size_t cap, size_t *len)
{
    uint8_t *p;

    if (!cap)
        cap = protobuf_c_message_get_packed_size(m);
    p = gw_otlp_arena_raw(a, cap ? cap : 1);
    if (!p)
        return NULL;
    *len = protobuf_c_message_pack(m, p);
    return *len <= cap ? p : NULL;
}

/* The part of a span that changes every time (gw.otlp.SpanVarying): ids, trace state, times,
 * the double attributes that are not zero, the events without attributes. Its size is bounded
 * from its inputs, so it is packed without a sizing pass. */
static uint8_t *varying_enc(struct arena *a, const struct gw_span *s, size_t *len)
{
    Gw__Otlp__SpanVarying v;
    Gw__Otlp__KeyDouble kd[GW_SPAN_MAX_ATTRS], *kdp[GW_SPAN_MAX_ATTRS];
    Gw__Otlp__AnyDouble ad[GW_SPAN_MAX_ATTRS];
    Gw__Otlp__EventTime et[GW_SPAN_MAX_EVENTS], *etp[GW_SPAN_MAX_EVENTS];
    size_t bound = 64 + s->tracestate_len;

    gw__otlp__span_varying__init(&v);
    v.trace_id.data = (uint8_t *)(uintptr_t)s->trace_id;
    v.trace_id.len = 16;
    v.span_id.data = (uint8_t *)(uintptr_t)s->span_id;
    v.span_id.len = 8;
    if (s->has_parent) {
        v.parent_span_id.data = (uint8_t *)(uintptr_t)s->parent_id;
        v.parent_span_id.len = 8;
    }
    v.trace_state = gw_otlp_str(s->tracestate);
    v.start_time_unix_nano = (uint64_t)(s->start_ns > 0 ? s->start_ns : 0);
    v.end_time_unix_nano = (uint64_t)(s->end_ns > 0 ? s->end_ns : 0);
    v.attributes = kdp;
    for (uint16_t i = 0; i < s->n_attrs; i++) {
        const struct gw_span_attr *at = &s->attrs[i];
        size_t k = v.n_attributes;
        if (at->type != GW_SA_DOUBLE || at->v.d == 0 || s->may_dup)
            continue;
        gw__otlp__key_double__init(&kd[k]);
        gw__otlp__any_double__init(&ad[k]);
        ad[k].double_value = at->v.d;
        kd[k].key = gw_otlp_str(at->key);
        kd[k].value = &ad[k];
        kdp[k] = &kd[k];
        v.n_attributes++;
        bound += strlen(at->key) + 24;
    }
    v.events = etp;
    for (uint16_t i = 0; i < s->n_events; i++) {
        size_t k = v.n_events;
        if (s->events[i].n_attrs)
            continue;
        gw__otlp__event_time__init(&et[k]);
        et[k].time_unix_nano = (uint64_t)s->events[i].time_ns;
        et[k].name = gw_otlp_str(s->events[i].name);
        etp[k] = &et[k];
        v.n_events++;
        bound += strlen(et[k].name) + 24;
    }
    return pack_to(a, &v.base, bound, len);
}

/* OpenTelemetry Go's span flags: the parent's "is remote" bits, not the trace flags. */
static uint32_t span_flags(const struct gw_span *s)
{
    return 0x100u | (s->parent_remote ? 0x200u : 0u);
}

/* Whether an attribute belongs to the reused part: strings, ints, bools and zero doubles (a
 * duration that was not measured); not header values nor measured durations. */
static bool fixed_attr(const struct gw_span_attr *a, bool resolved)
{
    return a->type != GW_SA_STRS && (a->type != GW_SA_DOUBLE || a->v.d == 0 || resolved);
}

/* Adds an attribute to the signature. Keys are literals or live as long as the configuration:
 * their address names them. */
static void sig_attr(struct gw_otlp_enc *e, const struct gw_span_attr *a)
{
    sig_add(e, &a->key, sizeof(a->key));
    sig_add(e, &a->type, 1);
    switch (a->type) {
    case GW_SA_STR:
        sig_add(e, &a->n, sizeof(a->n));
        sig_add(e, a->v.s, a->n);
        break;
    case GW_SA_INT:
        sig_add(e, &a->v.i, sizeof(a->v.i));
        break;
    case GW_SA_BOOL:
        sig_add(e, &a->v.b, sizeof(a->v.b));
        break;
    case GW_SA_DOUBLE:
        sig_add(e, &a->v.d, sizeof(a->v.d));
        break;
    default:
        e->sig_over = true; /* never reused */
        break;
    }
}

/* The part of a span that repeats: name, kind, flags, status, dropped counts and the
 * attributes of fixed_attr (the template's and its own; the resolved list when a key may
 * repeat, measured durations included then), packed once per distinct value. */
static const uint8_t *fixed_enc(struct gw_otlp_enc *e, const struct gw_span *s, size_t *len)
{
    const struct gw_span_attr *own[GW_SPAN_MAX_ALL_ATTRS], *all[GW_SPAN_MAX_ALL_ATTRS];
    const struct gw_span_tmpl *t = NULL;
    uint32_t flags = span_flags(s),
             counts[3] = {s->dropped_attrs, s->dropped_events, s->dropped_links};
    size_t n = 0, nl = s->name_len, ml = s->status_msg ? strlen(s->status_msg) : 0;
    struct centry *slot = NULL;
    const uint8_t *enc;
    uint64_t h;
    SPAN m;
    STATUS st;

    if (s->may_dup) {
        size_t na = gw_span_attrs(s, all, GW_SPAN_MAX_ALL_ATTRS);
        for (size_t i = 0; i < na; i++)
            if (fixed_attr(all[i], true))
                own[n++] = all[i];
    } else {
        t = s->tmpl && s->tmpl->n ? s->tmpl : NULL;
        for (uint16_t i = 0; i < s->n_attrs; i++)
            if (fixed_attr(&s->attrs[i], false))
                own[n++] = &s->attrs[i];
    }
    sig_start(e, 'F');
    sig_add(e, &s->kind, 1);
    sig_add(e, &s->status, 1);
    sig_add(e, &flags, 4);
    sig_add(e, counts, sizeof(counts));
    sig_add(e, &t, sizeof(t)); /* a template is immutable while the encoder lives */
    sig_add(e, &nl, sizeof(nl));
    sig_add(e, s->name, nl);
    sig_add(e, &ml, sizeof(ml));
    sig_add(e, s->status_msg ? s->status_msg : "", ml);
    for (size_t i = 0; i < n; i++)
        sig_attr(e, own[i]);
    h = sig_hash(e);
    if (!e->sig_over && (enc = cache_find(e, h, len, &slot)) != NULL) {
        e->hits++;
        return enc;
    }
    e->misses++;
    opentelemetry__proto__trace__v1__span__init(&m);
    opentelemetry__proto__trace__v1__status__init(&st);
    m.name = gw_otlp_str(s->name);
    m.kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)s->kind;
    m.flags = flags;
    m.dropped_attributes_count = s->dropped_attrs;
    m.dropped_events_count = s->dropped_events;
    m.dropped_links_count = s->dropped_links;
    st.code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)s->status;
    st.message = gw_otlp_str(s->status_msg);
    m.status = &st;
    {
        const struct gw_span_attr *both[GW_SPAN_MAX_ALL_ATTRS + GW_SPAN_MAX_ATTRS];
        size_t nb = 0;
        for (size_t i = 0; t && i < t->n && i < GW_SPAN_MAX_ATTRS; i++)
            both[nb++] = &t->attrs[i];
        for (size_t i = 0; i < n; i++)
            both[nb++] = own[i];
        m.n_attributes = nb;
        m.attributes = gw_otlp_kv_list(&e->a, both, nb);
        if (!m.attributes)
            return NULL;
    }
    enc = pack_to(&e->a, &m.base, 0, len);
    if (enc && slot && !e->sig_over)
        cache_keep(e, h, slot, enc, *len);
    return enc;
}

/* What neither part holds, when the span has any: header values (string arrays), events with
 * attributes (exceptions), links. */
static uint8_t *extra_enc(struct arena *a, const struct gw_span *s, size_t *len)
{
    const struct gw_span_attr *strs[GW_SPAN_MAX_ATTRS];
    EVENT **ev = gw_otlp_arena_alloc(a, (s->n_events ? s->n_events : 1) * sizeof(*ev));
    LINK **ln = gw_otlp_arena_alloc(a, (s->n_links ? s->n_links : 1) * sizeof(*ln));
    size_t ns = 0;
    SPAN m;

    if (!ev || !ln)
        return NULL;
    opentelemetry__proto__trace__v1__span__init(&m);
    for (uint16_t i = 0; !s->may_dup && i < s->n_attrs; i++)
        if (s->attrs[i].type == GW_SA_STRS)
            strs[ns++] = &s->attrs[i];
    if (ns) {
        m.n_attributes = ns;
        m.attributes = gw_otlp_kv_list(a, strs, ns);
        if (!m.attributes)
            return NULL;
    }
    for (uint16_t i = 0; i < s->n_events; i++) {
        EVENT *x;
        if (!s->events[i].n_attrs)
            continue;
        x = ev[m.n_events++] = gw_otlp_arena_alloc(a, sizeof(EVENT));
        if (!x)
            return NULL;
        opentelemetry__proto__trace__v1__span__event__init(x);
        x->time_unix_nano = (uint64_t)s->events[i].time_ns;
        x->name = gw_otlp_str(s->events[i].name);
        x->n_attributes = s->events[i].n_attrs;
        x->attributes = gw_otlp_attr_array(a, s->events[i].attrs, s->events[i].n_attrs);
    }
    m.events = ev;
    for (uint16_t i = 0; i < s->n_links; i++) {
        ln[i] = gw_otlp_arena_alloc(a, sizeof(LINK));
        if (!ln[i])
            return NULL;
        opentelemetry__proto__trace__v1__span__link__init(ln[i]);
        ln[i]->trace_id.data = (uint8_t *)(uintptr_t)s->links[i].trace_id;
        ln[i]->trace_id.len = 16;
        ln[i]->span_id.data = (uint8_t *)(uintptr_t)s->links[i].span_id;
        ln[i]->span_id.len = 8;
        ln[i]->flags = s->links[i].flags;
    }
    m.n_links = s->n_links;
    m.links = ln;
    return pack_to(a, &m.base, 0, len);
}

/* Whether the span has anything for extra_enc. */
static bool has_extra(const struct gw_span *s)
{
    if (s->n_links)
        return true;
    for (uint16_t i = 0; i < s->n_events; i++)
        if (s->events[i].n_attrs)
            return true;
    for (uint16_t i = 0; !s->may_dup && i < s->n_attrs; i++)
        if (s->attrs[i].type == GW_SA_STRS)
            return true;
    return false;
}

/* One span's bytes: its parts one after the other. */
static bool span_bytes(struct gw_otlp_enc *e, const struct gw_span *s, ProtobufCBinaryData *out)
{
    const uint8_t *piece[3];
    size_t plen[3], np = 0;
    uint8_t *p;

    if (!(piece[np] = varying_enc(&e->a, s, &plen[np])))
        return false;
    np++;
    if (!(piece[np] = fixed_enc(e, s, &plen[np])))
        return false;
    np++;
    if (has_extra(s)) {
        if (!(piece[np] = extra_enc(&e->a, s, &plen[np])))
            return false;
        np++;
    }
    p = gw_otlp_arena_raw(&e->a, plen[0] + plen[1] + (np > 2 ? plen[2] : 0));
    if (!p)
        return false;
    out->data = p;
    out->len = 0;
    for (size_t i = 0; i < np; i++) {
        memcpy(p + out->len, piece[i], plen[i]);
        out->len += plen[i];
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
    size_t bound = 1024;
    bool ok = false;

    *out = NULL;
    *len = 0;
    arena_reset(&e->a);
    gw__otlp__packed_trace_request__init(&req);
    gw__otlp__packed_resource_spans__init(&rs);
    gw__otlp__packed_scope_spans__init(&ss);
    sv = gw_otlp_arena_alloc(&e->a, (n ? n : 1) * sizeof(*sv));
    rs.resource = gw_otlp_resource(&e->a, &e->src);
    ss.scope = gw_otlp_scope(&e->a, &e->src);
    if (!sv || !rs.resource || !ss.scope)
        goto out;
    rs.schema_url = gw_otlp_str(e->src.schema_url);
    for (size_t i = 0; i < n; i++) {
        if (!span_bytes(e, spans[i], &sv[i]))
            goto out;
        bound += sv[i].len + 6;
    }
    ss.n_spans = n;
    ss.spans = sv;
    rs.n_scope_spans = 1;
    rs.scope_spans = ssv;
    req.n_resource_spans = 1;
    req.resource_spans = rsv;
    if (e->a.failed)
        goto out;
    /* the spans' bytes bound the body: one packing pass instead of a sizing pass first */
    bound += protobuf_c_message_get_packed_size(&rs.resource->base) +
             protobuf_c_message_get_packed_size(&ss.scope->base) + strlen(rs.schema_url);
    if (bound > max_bytes) {
        ok = gw_otlp_pack(&req.base, max_bytes, out, len); /* exact, or refused */
        goto out;
    }
    *out = malloc(bound);
    if (*out) {
        *len = protobuf_c_message_pack(&req.base, *out);
        ok = *len <= bound;
    }
out:
    if (!ok) {
        free(*out);
        *out = NULL;
        *len = 0;
    }
    return ok;
}
