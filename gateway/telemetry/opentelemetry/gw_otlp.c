/* gw_otlp.c - OTLP protobuf bodies built with protobuf-c's generated messages (from the .proto
 * files in proto/): what traces and metrics share, and the metrics bodies. The message structs
 * of one body come from one arena. */
#include "gw_otlp_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- a chained bump arena ---- */

void *gw_otlp_arena_raw(struct arena *a, size_t n)
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
    return p;
}

void *gw_otlp_arena_alloc(struct arena *a, size_t n)
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

void gw_otlp_arena_free(struct arena *a)
{
    while (a->head) {
        struct block *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* Strings handed to protobuf-c are read only; its struct fields are not const. */
char *gw_otlp_str(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

/* ---- common ---- */

static KV *kv_str(struct arena *a, const char *key, const char *v)
{
    KV *kv = gw_otlp_arena_alloc(a, sizeof(*kv));
    ANY *any = gw_otlp_arena_alloc(a, sizeof(*any));

    if (!kv || !any)
        return NULL;
    opentelemetry__proto__common__v1__key_value__init(kv);
    opentelemetry__proto__common__v1__any_value__init(any);
    kv->key = gw_otlp_str(key);
    kv->value = any;
    any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    any->string_value = gw_otlp_str(v);
    return kv;
}

ANY *gw_otlp_any(struct arena *a, const struct gw_span_attr *at)
{
    ANY *any = gw_otlp_arena_alloc(a, sizeof(*any));

    if (!any)
        return NULL;
    opentelemetry__proto__common__v1__any_value__init(any);
    switch (at->type) {
    case GW_SA_STR:
        any->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
        any->string_value = gw_otlp_str(at->v.s);
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
        ARR *arr = gw_otlp_arena_alloc(a, sizeof(*arr));
        ANY **items = gw_otlp_arena_alloc(a, (at->n ? at->n : 1) * sizeof(*items));
        if (!arr || !items)
            return NULL;
        opentelemetry__proto__common__v1__array_value__init(arr);
        for (size_t i = 0; i < at->n; i++) {
            const char *v;
            size_t l;
            items[i] = gw_otlp_arena_alloc(a, sizeof(ANY));
            if (!items[i])
                return NULL;
            opentelemetry__proto__common__v1__any_value__init(items[i]);
            gw_span_strs_item(at, i, &v, &l);
            items[i]->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
            items[i]->string_value = gw_otlp_str(v);
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

KV **gw_otlp_kv_list(struct arena *a, const struct gw_span_attr *const *at, size_t n)
{
    KV **out = gw_otlp_arena_alloc(a, (n ? n : 1) * sizeof(*out));

    for (size_t i = 0; out && i < n; i++) {
        out[i] = gw_otlp_arena_alloc(a, sizeof(KV));
        if (!out[i])
            return NULL;
        opentelemetry__proto__common__v1__key_value__init(out[i]);
        out[i]->key = gw_otlp_str(at[i]->key);
        out[i]->value = gw_otlp_any(a, at[i]);
    }
    return out;
}

KV **gw_otlp_attr_array(struct arena *a, const struct gw_span_attr *at, size_t n)
{
    const struct gw_span_attr *p[GW_SPAN_MAX_EVENT_ATTRS + GW_SPAN_MAX_ATTRS];

    for (size_t i = 0; i < n && i < sizeof(p) / sizeof(p[0]); i++)
        p[i] = &at[i];
    return gw_otlp_kv_list(a, p, n);
}

RES *gw_otlp_resource(struct arena *a, const struct gw_otlp_source *src)
{
    RES *r = gw_otlp_arena_alloc(a, sizeof(*r));
    size_t n = src->resource ? src->resource->n : 0;
    KV **kvs = gw_otlp_arena_alloc(a, (n ? n : 1) * sizeof(*kvs));

    if (!r || !kvs)
        return NULL;
    opentelemetry__proto__resource__v1__resource__init(r);
    for (size_t i = 0; i < n; i++)
        kvs[i] = kv_str(a, src->resource->items[i].key, src->resource->items[i].value);
    r->n_attributes = n;
    r->attributes = kvs;
    return r;
}

SCOPE *gw_otlp_scope(struct arena *a, const struct gw_otlp_source *src)
{
    SCOPE *s = gw_otlp_arena_alloc(a, sizeof(*s));

    if (!s)
        return NULL;
    opentelemetry__proto__common__v1__instrumentation_scope__init(s);
    s->name = gw_otlp_str(src->scope_name);
    s->version = gw_otlp_str(src->scope_version);
    return s;
}

/* Packs m into an owned buffer. */
bool gw_otlp_pack(const ProtobufCMessage *m, size_t max_bytes, uint8_t **out, size_t *len)
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

/* ---- metrics ---- */

static KV **point_attrs(struct arena *a, const struct gw_metrics_group *g)
{
    KV **out = gw_otlp_arena_alloc(a, (g->n_attrs ? g->n_attrs : 1) * sizeof(*out));

    for (unsigned i = 0; out && i < g->n_attrs; i++) {
        struct gw_span_attr at = {0};
        out[i] = gw_otlp_arena_alloc(a, sizeof(KV));
        if (!out[i])
            return NULL;
        opentelemetry__proto__common__v1__key_value__init(out[i]);
        out[i]->key = gw_otlp_str(g->attrs[i].key);
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
        out[i]->value = gw_otlp_any(a, &at);
    }
    return out;
}

static METRIC *metric_msg(struct arena *a, const struct gw_metrics_snapshot *snap, size_t first,
                          size_t count, int64_t now)
{
    const struct gw_metric_def *d = snap->points[first].def;
    METRIC *m = gw_otlp_arena_alloc(a, sizeof(*m));
    bool hist = d->kind == GW_METRIC_HIST_INT || d->kind == GW_METRIC_HIST_FLOAT;

    if (!m)
        return NULL;
    opentelemetry__proto__metrics__v1__metric__init(m);
    m->name = gw_otlp_str(d->name);
    m->description = gw_otlp_str(d->help);
    m->unit = gw_otlp_str(d->unit);
    if (hist) {
        HIST *h = gw_otlp_arena_alloc(a, sizeof(*h));
        HDP **dps = gw_otlp_arena_alloc(a, count * sizeof(*dps));
        if (!h || !dps)
            return NULL;
        opentelemetry__proto__metrics__v1__histogram__init(h);
        for (size_t i = 0; i < count; i++) {
            const struct gw_metrics_point *p = &snap->points[first + i];
            HDP *dp = dps[i] = gw_otlp_arena_alloc(a, sizeof(HDP));
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
        SUM *s = gw_otlp_arena_alloc(a, sizeof(*s));
        NDP **dps = gw_otlp_arena_alloc(a, count * sizeof(*dps));
        if (!s || !dps)
            return NULL;
        opentelemetry__proto__metrics__v1__sum__init(s);
        for (size_t i = 0; i < count; i++) {
            const struct gw_metrics_point *p = &snap->points[first + i];
            NDP *dp = dps[i] = gw_otlp_arena_alloc(a, sizeof(NDP));
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
    RMETRICS *rm = gw_otlp_arena_alloc(&a, sizeof(*rm));
    SMETRICS *sm = gw_otlp_arena_alloc(&a, sizeof(*sm));
    RMETRICS **rmv = gw_otlp_arena_alloc(&a, sizeof(*rmv));
    SMETRICS **smv = gw_otlp_arena_alloc(&a, sizeof(*smv));
    METRIC **mv = gw_otlp_arena_alloc(&a, (snap->n ? snap->n : 1) * sizeof(*mv));
    size_t nm = 0;
    bool ok = false;

    *out = NULL;
    *len = 0;
    if (!rm || !sm || !rmv || !smv || !mv)
        goto out;
    opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__init(&req);
    opentelemetry__proto__metrics__v1__resource_metrics__init(rm);
    opentelemetry__proto__metrics__v1__scope_metrics__init(sm);
    rm->resource = gw_otlp_resource(&a, src);
    rm->schema_url = gw_otlp_str(src->schema_url);
    sm->scope = gw_otlp_scope(&a, src);
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
    ok = gw_otlp_pack(&req.base, max_bytes, out, len);
out:
    gw_otlp_arena_free(&a);
    if (!ok) {
        free(*out);
        *out = NULL;
    }
    return ok;
}
