/* gw_otlp_json.c - OTLP/JSON bodies: proto3's JSON mapping with OTLP's exceptions (trace and
 * span ids as lower-case hex, enums as numbers); 64-bit integers are strings. */
#include "gw_otlp.h"

#include "cmn_go_float.h"
#include "cmn_go_json.h"
#include "gw_tracecontext.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct w {
    struct cmn_buf *b;
    bool bad;
};

static void app(struct w *o, const char *s, size_t n)
{
    if (!o->bad && cmn_buf_append(o->b, s, n) != CMN_BUF_OK)
        o->bad = true;
}

static void apps(struct w *o, const char *s)
{
    app(o, s, strlen(s));
}

static void appf(struct w *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void appf(struct w *o, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        o->bad = true;
    else
        app(o, buf, (size_t)n);
}

static void jstr(struct w *o, const char *s, size_t n)
{
    if (!o->bad && !cmn_go_json_string(o->b, s ? s : "", s ? n : 0, false))
        o->bad = true;
}

static void jcstr(struct w *o, const char *s)
{
    jstr(o, s, s ? strlen(s) : 0);
}

/* proto3 JSON: finite doubles as numbers, the others as strings. */
static void jdouble(struct w *o, double d)
{
    char num[CMN_GO_FLOAT_MAX];

    if (isnan(d))
        apps(o, "\"NaN\"");
    else if (isinf(d))
        apps(o, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    else {
        cmn_go_json_float(d, num);
        apps(o, num);
    }
}

static void jhex(struct w *o, const uint8_t *b, size_t n)
{
    char hex[33];

    gw_hex_encode(b, n, hex);
    appf(o, "\"%s\"", hex);
}

static void any(struct w *o, const struct gw_span_attr *a)
{
    switch (a->type) {
    case GW_SA_STR:
        apps(o, "{\"stringValue\":");
        jstr(o, a->v.s, a->n);
        break;
    case GW_SA_INT:
        appf(o, "{\"intValue\":\"%" PRId64 "\"", a->v.i);
        break;
    case GW_SA_BOOL:
        appf(o, "{\"boolValue\":%s", a->v.b ? "true" : "false");
        break;
    case GW_SA_DOUBLE:
        apps(o, "{\"doubleValue\":");
        jdouble(o, a->v.d);
        break;
    case GW_SA_STRS:
        apps(o, "{\"arrayValue\":{\"values\":[");
        for (size_t i = 0; i < a->n; i++) {
            const char *v;
            size_t l;
            gw_span_strs_item(a, i, &v, &l);
            apps(o, i ? ",{\"stringValue\":" : "{\"stringValue\":");
            jstr(o, v, l);
            app(o, "}", 1);
        }
        apps(o, "]}");
        break;
    }
    app(o, "}", 1);
}

static void attr_list(struct w *o, const struct gw_span_attr *const *a, size_t n)
{
    apps(o, "\"attributes\":[");
    for (size_t i = 0; i < n; i++) {
        apps(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, a[i]->key);
        apps(o, ",\"value\":");
        any(o, a[i]);
        app(o, "}", 1);
    }
    app(o, "]", 1);
}

static void attrs(struct w *o, const struct gw_span_attr *a, size_t n)
{
    const struct gw_span_attr *p[GW_SPAN_MAX_EVENT_ATTRS];

    for (size_t i = 0; i < n && i < GW_SPAN_MAX_EVENT_ATTRS; i++)
        p[i] = &a[i];
    attr_list(o, p, n < GW_SPAN_MAX_EVENT_ATTRS ? n : GW_SPAN_MAX_EVENT_ATTRS);
}

static void resource_and_scope_open(struct w *o, const struct gw_otlp_source *src,
                                    const char *resource_key, const char *scope_key)
{
    appf(o, "{\"%s\":[{\"resource\":{\"attributes\":[", resource_key);
    for (size_t i = 0; src->resource && i < src->resource->n; i++) {
        apps(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, src->resource->items[i].key);
        apps(o, ",\"value\":{\"stringValue\":");
        jcstr(o, src->resource->items[i].value);
        apps(o, "}}");
    }
    apps(o, "]},\"schemaUrl\":");
    jcstr(o, src->schema_url);
    appf(o, ",\"%s\":[{\"scope\":{\"name\":", scope_key);
    jcstr(o, src->scope_name);
    apps(o, ",\"version\":");
    jcstr(o, src->scope_version);
    app(o, "}", 1);
}

static void span(struct w *o, const struct gw_span *s)
{
    apps(o, "{\"traceId\":");
    jhex(o, s->trace_id, 16);
    apps(o, ",\"spanId\":");
    jhex(o, s->span_id, 8);
    if (s->tracestate_len) {
        apps(o, ",\"traceState\":");
        jstr(o, s->tracestate, s->tracestate_len);
    }
    if (s->has_parent) {
        apps(o, ",\"parentSpanId\":");
        jhex(o, s->parent_id, 8);
    }
    appf(o, ",\"flags\":%u,\"name\":", 0x100u | (s->parent_remote ? 0x200u : 0u));
    jstr(o, s->name, s->name_len);
    appf(o,
         ",\"kind\":%u,\"startTimeUnixNano\":\"%" PRId64 "\",\"endTimeUnixNano\":\"%" PRId64 "\",",
         s->kind, s->start_ns, s->end_ns);
    {
        const struct gw_span_attr *all[GW_SPAN_MAX_ALL_ATTRS];
        attr_list(o, all, gw_span_attrs(s, all, GW_SPAN_MAX_ALL_ATTRS));
    }
    if (s->dropped_attrs)
        appf(o, ",\"droppedAttributesCount\":%u", s->dropped_attrs);
    apps(o, ",\"events\":[");
    for (uint16_t i = 0; i < s->n_events; i++) {
        appf(o, "%s{\"timeUnixNano\":\"%" PRId64 "\",\"name\":", i ? "," : "",
             s->events[i].time_ns);
        jcstr(o, s->events[i].name);
        app(o, ",", 1);
        attrs(o, s->events[i].attrs, s->events[i].n_attrs);
        app(o, "}", 1);
    }
    apps(o, "],\"links\":[");
    for (uint16_t i = 0; i < s->n_links; i++) {
        apps(o, i ? ",{\"traceId\":" : "{\"traceId\":");
        jhex(o, s->links[i].trace_id, 16);
        apps(o, ",\"spanId\":");
        jhex(o, s->links[i].span_id, 8);
        appf(o, ",\"flags\":%u}", s->links[i].flags);
    }
    apps(o, "],\"status\":{");
    if (s->status_msg) {
        apps(o, "\"message\":");
        jcstr(o, s->status_msg);
        app(o, ",", 1);
    }
    appf(o, "\"code\":%u}}", s->status);
}

bool gw_otlp_traces_json(const struct gw_otlp_source *src, struct gw_span *const *spans, size_t n,
                         struct cmn_buf *out)
{
    struct w o = {out, false};

    resource_and_scope_open(&o, src, "resourceSpans", "scopeSpans");
    apps(&o, ",\"spans\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            app(&o, ",", 1);
        span(&o, spans[i]);
    }
    apps(&o, "]}]}]}");
    return !o.bad;
}

static void point_attrs(struct w *o, const struct gw_metrics_group *g)
{
    apps(o, "\"attributes\":[");
    for (unsigned i = 0; i < g->n_attrs; i++) {
        const struct gw_attr *a = &g->attrs[i];
        apps(o, i ? ",{\"key\":" : "{\"key\":");
        jcstr(o, a->key);
        switch (a->type) {
        case GW_ATTR_STR:
            apps(o, ",\"value\":{\"stringValue\":");
            jcstr(o, a->str);
            break;
        case GW_ATTR_INT:
            appf(o, ",\"value\":{\"intValue\":\"%" PRId64 "\"", a->i);
            break;
        case GW_ATTR_BOOL:
            appf(o, ",\"value\":{\"boolValue\":%s", a->b ? "true" : "false");
            break;
        case GW_ATTR_DOUBLE:
            apps(o, ",\"value\":{\"doubleValue\":");
            jdouble(o, a->d);
            break;
        }
        apps(o, "}}");
    }
    app(o, "]", 1);
}

static void metric(struct w *o, const struct gw_metrics_snapshot *snap, size_t first, size_t count,
                   int64_t now)
{
    const struct gw_metric_def *d = snap->points[first].def;
    bool hist = d->kind == GW_METRIC_HIST_INT || d->kind == GW_METRIC_HIST_FLOAT;

    apps(o, "{\"name\":");
    jcstr(o, d->name);
    apps(o, ",\"description\":");
    jcstr(o, d->help);
    apps(o, ",\"unit\":");
    jcstr(o, d->unit);
    apps(o, hist ? ",\"histogram\":{\"dataPoints\":[" : ",\"sum\":{\"dataPoints\":[");
    for (size_t i = 0; i < count; i++) {
        const struct gw_metrics_point *p = &snap->points[first + i];
        app(o, i ? ",{" : "{", i ? 2 : 1);
        point_attrs(o, p->group);
        appf(o, ",\"startTimeUnixNano\":\"%" PRId64 "\",\"timeUnixNano\":\"%" PRId64 "\"",
             snap->start_unix_ns, now);
        if (hist) {
            appf(o, ",\"count\":\"%" PRIu64 "\",\"sum\":", p->count);
            jdouble(o, d->kind == GW_METRIC_HIST_INT ? (double)p->ival : p->dval);
            apps(o, ",\"bucketCounts\":[");
            for (unsigned k = 0; k <= d->n_bounds; k++)
                appf(o, "%s\"%" PRIu64 "\"", k ? "," : "", p->buckets[k]);
            apps(o, "],\"explicitBounds\":[");
            for (unsigned k = 0; k < d->n_bounds; k++) {
                if (k)
                    app(o, ",", 1);
                jdouble(o, d->bounds[k]);
            }
            app(o, "]", 1);
        } else if (d->kind == GW_METRIC_COUNTER_FLOAT) {
            apps(o, ",\"asDouble\":");
            jdouble(o, p->dval);
        } else {
            appf(o, ",\"asInt\":\"%" PRId64 "\"", p->ival);
        }
        app(o, "}", 1);
    }
    appf(o, "],\"aggregationTemporality\":2");
    if (!hist)
        appf(o, ",\"isMonotonic\":%s", d->kind == GW_METRIC_UPDOWN_INT ? "false" : "true");
    apps(o, "}}");
}

bool gw_otlp_metrics_json(const struct gw_otlp_source *src, const struct gw_metrics_snapshot *snap,
                          int64_t now, struct cmn_buf *out)
{
    struct w o = {out, false};
    bool first = true;

    resource_and_scope_open(&o, src, "resourceMetrics", "scopeMetrics");
    apps(&o, ",\"metrics\":[");
    for (size_t i = 0; i < snap->n;) {
        size_t j = i + 1;
        while (j < snap->n && strcmp(snap->points[j].name, snap->points[i].name) == 0)
            j++;
        if (!first)
            app(&o, ",", 1);
        first = false;
        metric(&o, snap, i, j - i, now);
        i = j;
    }
    apps(&o, "]}]}]}");
    return !o.bad;
}
