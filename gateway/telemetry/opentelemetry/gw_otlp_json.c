/* gw_otlp_json.c - OTLP/JSON bodies: proto3's JSON mapping with OTLP's exceptions (trace and
 * span ids as lower-case hex, enums as numbers); 64-bit integers are strings. */
#include "gw_otlp.h"

#include "cmn_go_float.h"
#include "cmn_go_json.h"
#include "gw_tracecontext.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void jstr(struct cmn_bufw *o, const char *s, size_t n)
{
    if (!o->bad && !cmn_go_json_string(o->b, s ? s : "", s ? n : 0, false))
        o->bad = true;
}

static void jcstr(struct cmn_bufw *o, const char *s)
{
    jstr(o, s, s ? strlen(s) : 0);
}

/* proto3 JSON: finite doubles as numbers, the others as strings. */
static void jdouble(struct cmn_bufw *o, double d)
{
    char num[CMN_GO_FLOAT_MAX];

    if (isnan(d))
        cmn_bufw_str(o, "\"NaN\"");
    else if (isinf(d))
        cmn_bufw_str(o, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    else {
        cmn_go_json_float(d, num);
        cmn_bufw_str(o, num);
    }
}

static void jhex(struct cmn_bufw *o, const uint8_t *b, size_t n)
{
    char hex[33];

    gw_hex_encode(b, n, hex);
    cmn_bufw_printf(o, "\"%s\"", hex);
}

static void any(struct cmn_bufw *o, const struct gw_span_attr *a)
{
    switch (a->type) {
    case GW_SA_STR:
        cmn_bufw_str(o, "{\"stringValue\":");
        jstr(o, a->v.s, a->n);
        break;
    case GW_SA_INT:
        cmn_bufw_printf(o, "{\"intValue\":\"%" PRId64 "\"", a->v.i);
        break;
    case GW_SA_BOOL:
        cmn_bufw_printf(o, "{\"boolValue\":%s", a->v.b ? "true" : "false");
        break;
    case GW_SA_DOUBLE:
        cmn_bufw_str(o, "{\"doubleValue\":");
        jdouble(o, a->v.d);
        break;
    case GW_SA_STRS:
        cmn_bufw_str(o, "{\"arrayValue\":{\"values\":[");
        for (size_t i = 0; i < a->n; i++) {
            const char *v;
            size_t l;
            gw_span_strs_item(a, i, &v, &l);
            cmn_bufw_str(o, i ? ",{\"stringValue\":" : "{\"stringValue\":");
            jstr(o, v, l);
            cmn_bufw_append(o, "}", 1);
        }
        cmn_bufw_str(o, "]}");
        break;
    }
    cmn_bufw_append(o, "}", 1);
}

static void attr_list(struct cmn_bufw *o, const struct gw_span_attr *const *a, size_t n)
{
    cmn_bufw_str(o, "\"attributes\":[");
    for (size_t i = 0; i < n; i++) {
        cmn_bufw_str(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, a[i]->key);
        cmn_bufw_str(o, ",\"value\":");
        any(o, a[i]);
        cmn_bufw_append(o, "}", 1);
    }
    cmn_bufw_append(o, "]", 1);
}

static void attrs(struct cmn_bufw *o, const struct gw_span_attr *a, size_t n)
{
    const struct gw_span_attr *p[GW_SPAN_MAX_EVENT_ATTRS];

    for (size_t i = 0; i < n && i < GW_SPAN_MAX_EVENT_ATTRS; i++)
        p[i] = &a[i];
    attr_list(o, p, n < GW_SPAN_MAX_EVENT_ATTRS ? n : GW_SPAN_MAX_EVENT_ATTRS);
}

static void resource_and_scope_open(struct cmn_bufw *o, const struct gw_otlp_source *src,
                                    const char *resource_key, const char *scope_key)
{
    cmn_bufw_printf(o, "{\"%s\":[{\"resource\":{\"attributes\":[", resource_key);
    for (size_t i = 0; src->resource && i < src->resource->n; i++) {
        cmn_bufw_str(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, src->resource->items[i].key);
        cmn_bufw_str(o, ",\"value\":{\"stringValue\":");
        jcstr(o, src->resource->items[i].value);
        cmn_bufw_str(o, "}}");
    }
    cmn_bufw_str(o, "]},\"schemaUrl\":");
    jcstr(o, src->schema_url);
    cmn_bufw_printf(o, ",\"%s\":[{\"scope\":{\"name\":", scope_key);
    jcstr(o, src->scope_name);
    cmn_bufw_str(o, ",\"version\":");
    jcstr(o, src->scope_version);
    cmn_bufw_append(o, "}", 1);
}

static void span(struct cmn_bufw *o, const struct gw_span *s)
{
    cmn_bufw_str(o, "{\"traceId\":");
    jhex(o, s->trace_id, 16);
    cmn_bufw_str(o, ",\"spanId\":");
    jhex(o, s->span_id, 8);
    if (s->tracestate_len) {
        cmn_bufw_str(o, ",\"traceState\":");
        jstr(o, s->tracestate, s->tracestate_len);
    }
    if (s->has_parent) {
        cmn_bufw_str(o, ",\"parentSpanId\":");
        jhex(o, s->parent_id, 8);
    }
    cmn_bufw_printf(o, ",\"flags\":%u,\"name\":", 0x100u | (s->parent_remote ? 0x200u : 0u));
    jstr(o, s->name, s->name_len);
    cmn_bufw_printf(o,
                    ",\"kind\":%u,\"startTimeUnixNano\":\"%" PRId64
                    "\",\"endTimeUnixNano\":\"%" PRId64 "\",",
                    s->kind, s->start_ns, s->end_ns);
    {
        const struct gw_span_attr *all[GW_SPAN_MAX_ALL_ATTRS];
        attr_list(o, all, gw_span_attrs(s, all, GW_SPAN_MAX_ALL_ATTRS));
    }
    if (s->dropped_attrs)
        cmn_bufw_printf(o, ",\"droppedAttributesCount\":%u", s->dropped_attrs);
    cmn_bufw_str(o, ",\"events\":[");
    for (uint16_t i = 0; i < s->n_events; i++) {
        cmn_bufw_printf(o, "%s{\"timeUnixNano\":\"%" PRId64 "\",\"name\":", i ? "," : "",
                        s->events[i].time_ns);
        jcstr(o, s->events[i].name);
        cmn_bufw_append(o, ",", 1);
        attrs(o, s->events[i].attrs, s->events[i].n_attrs);
        cmn_bufw_append(o, "}", 1);
    }
    cmn_bufw_str(o, "],\"links\":[");
    for (uint16_t i = 0; i < s->n_links; i++) {
        cmn_bufw_str(o, i ? ",{\"traceId\":" : "{\"traceId\":");
        jhex(o, s->links[i].trace_id, 16);
        cmn_bufw_str(o, ",\"spanId\":");
        jhex(o, s->links[i].span_id, 8);
        cmn_bufw_printf(o, ",\"flags\":%u}", s->links[i].flags);
    }
    cmn_bufw_str(o, "],\"status\":{");
    if (s->status_msg) {
        cmn_bufw_str(o, "\"message\":");
        jcstr(o, s->status_msg);
        cmn_bufw_append(o, ",", 1);
    }
    cmn_bufw_printf(o, "\"code\":%u}}", s->status);
}

bool gw_otlp_traces_json(const struct gw_otlp_source *src, struct gw_span *const *spans, size_t n,
                         struct cmn_buf *out)
{
    struct cmn_bufw o = {out, false};

    resource_and_scope_open(&o, src, "resourceSpans", "scopeSpans");
    cmn_bufw_str(&o, ",\"spans\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            cmn_bufw_append(&o, ",", 1);
        span(&o, spans[i]);
    }
    cmn_bufw_str(&o, "]}]}]}");
    return !o.bad;
}

static void point_attrs(struct cmn_bufw *o, const struct gw_metrics_group *g)
{
    cmn_bufw_str(o, "\"attributes\":[");
    for (unsigned i = 0; i < g->n_attrs; i++) {
        const struct gw_attr *a = &g->attrs[i];
        cmn_bufw_str(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, a->key);
        switch (a->type) {
        case GW_ATTR_STR:
            cmn_bufw_str(o, ",\"value\":{\"stringValue\":");
            jcstr(o, a->str);
            break;
        case GW_ATTR_INT:
            cmn_bufw_printf(o, ",\"value\":{\"intValue\":\"%" PRId64 "\"", a->i);
            break;
        case GW_ATTR_BOOL:
            cmn_bufw_printf(o, ",\"value\":{\"boolValue\":%s", a->b ? "true" : "false");
            break;
        case GW_ATTR_DOUBLE:
            cmn_bufw_str(o, ",\"value\":{\"doubleValue\":");
            jdouble(o, a->d);
            break;
        }
        cmn_bufw_str(o, "}}");
    }
    cmn_bufw_append(o, "]", 1);
}

static void metric(struct cmn_bufw *o, const struct gw_metrics_snapshot *snap, size_t first,
                   size_t count, int64_t now)
{
    const struct gw_metric_def *d = snap->points[first].def;
    bool hist = d->kind == GW_METRIC_HIST_INT || d->kind == GW_METRIC_HIST_FLOAT;

    cmn_bufw_str(o, "{\"name\":");
    jcstr(o, d->name);
    cmn_bufw_str(o, ",\"description\":");
    jcstr(o, d->help);
    cmn_bufw_str(o, ",\"unit\":");
    jcstr(o, d->unit);
    cmn_bufw_str(o, hist ? ",\"histogram\":{\"dataPoints\":[" : ",\"sum\":{\"dataPoints\":[");
    for (size_t i = 0; i < count; i++) {
        const struct gw_metrics_point *p = &snap->points[first + i];
        cmn_bufw_append(o, i ? ",{" : "{", i ? 2 : 1);
        point_attrs(o, p->group);
        cmn_bufw_printf(o,
                        ",\"startTimeUnixNano\":\"%" PRId64 "\",\"timeUnixNano\":\"%" PRId64 "\"",
                        snap->start_unix_ns, now);
        if (hist) {
            cmn_bufw_printf(o, ",\"count\":\"%" PRIu64 "\",\"sum\":", p->count);
            jdouble(o, d->kind == GW_METRIC_HIST_INT ? (double)p->ival : p->dval);
            cmn_bufw_str(o, ",\"bucketCounts\":[");
            for (unsigned k = 0; k <= d->n_bounds; k++)
                cmn_bufw_printf(o, "%s\"%" PRIu64 "\"", k ? "," : "", p->buckets[k]);
            cmn_bufw_str(o, "],\"explicitBounds\":[");
            for (unsigned k = 0; k < d->n_bounds; k++) {
                if (k)
                    cmn_bufw_append(o, ",", 1);
                jdouble(o, d->bounds[k]);
            }
            cmn_bufw_append(o, "]", 1);
        } else if (d->kind == GW_METRIC_COUNTER_FLOAT) {
            cmn_bufw_str(o, ",\"asDouble\":");
            jdouble(o, p->dval);
        } else {
            cmn_bufw_printf(o, ",\"asInt\":\"%" PRId64 "\"", p->ival);
        }
        cmn_bufw_append(o, "}", 1);
    }
    cmn_bufw_printf(o, "],\"aggregationTemporality\":2");
    if (!hist)
        cmn_bufw_printf(o, ",\"isMonotonic\":%s",
                        d->kind == GW_METRIC_UPDOWN_INT ? "false" : "true");
    cmn_bufw_str(o, "}}");
}

bool gw_otlp_metrics_json(const struct gw_otlp_source *src, const struct gw_metrics_snapshot *snap,
                          int64_t now, struct cmn_buf *out)
{
    struct cmn_bufw o = {out, false};
    bool first = true;

    resource_and_scope_open(&o, src, "resourceMetrics", "scopeMetrics");
    cmn_bufw_str(&o, ",\"metrics\":[");
    for (size_t i = 0; i < snap->n;) {
        size_t j = i + 1;
        while (j < snap->n && strcmp(snap->points[j].name, snap->points[i].name) == 0)
            j++;
        if (!first)
            cmn_bufw_append(&o, ",", 1);
        first = false;
        metric(&o, snap, i, j - i, now);
        i = j;
    }
    cmn_bufw_str(&o, "]}]}]}");
    return !o.bad;
}
