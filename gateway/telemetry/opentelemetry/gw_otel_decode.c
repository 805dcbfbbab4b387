/* gw_otel_decode.c - "telemetry/opentelemetry" decoded as Go's encoding/json decodes it into
 * krakend-otel's structs: case-insensitive keys, null = absent, a type mismatch = an error in
 * Go's words plus the JSON path; unknown keys become warnings. */
#include "gw_otel_config_int.h"

#include "cmn_buf.h"
#include "cmn_str.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the table-driven decoder ---- */

void gw_ocd_warnf(struct dctx *d, const char *gw_ocd_fmt, ...)
    __attribute__((format(printf, 2, 3)));

void gw_ocd_warnf(struct dctx *d, const char *gw_ocd_fmt, ...)
{
    char buf[512];
    va_list ap;

    if (!d->warn)
        return;
    va_start(ap, gw_ocd_fmt);
    vsnprintf(buf, sizeof(buf), gw_ocd_fmt, ap);
    va_end(ap);
    if (!gw_tel_strs_add(d->warn, buf))
        d->nomem = true;
}

const char *gw_ocd_json_kind(const json_t *v, char *num, size_t cap)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "string";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_ARRAY:
        return "array";
    case JSON_OBJECT:
        return "object";
    case JSON_INTEGER:
        snprintf(num, cap, "number %lld", (long long)json_integer_value(v));
        return num;
    case JSON_REAL:
        snprintf(num, cap, "number %.17g", json_real_value(v));
        return num;
    default:
        return "null";
    }
}

/* Go: json: cannot unmarshal <kind> into Go struct field <Struct>.<go path> of type <type> */
static void type_error(struct dctx *d, const json_t *v, const char *go_struct, const char *gopath,
                       const char *go_type, const char *path)
{
    char num[64];

    if (d->failed)
        return;
    d->failed = true;
    cmn_err_set(d->err, GW_OTEL_CONFIG_INVALID,
                "cannot register exporters: json: cannot unmarshal %s into Go struct field "
                "%s.%s of type %s (at %s)",
                gw_ocd_json_kind(v, num, sizeof(num)), go_struct, gopath, go_type, path);
}

/* snprintf that may truncate on purpose (paths and messages are capped). */

void gw_ocd_fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;

    va_start(ap, f);
    vsnprintf(buf, cap, f, ap);
    va_end(ap);
}

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

static void set_str(struct dctx *d, char **slot, const char *s)
{
    char *c = strdup(s);

    if (!c) {
        d->nomem = true;
        return;
    }
    free(*slot);
    *slot = c;
}

static void decode_strs(struct dctx *d, const json_t *v, struct gw_tel_strs *s, const char *gs,
                        const char *gp, const char *path)
{
    size_t i;
    json_t *e;

    gw_tel_strs_free(s);
    json_array_foreach(v, i, e)
    {
        if (json_is_null(e)) {
            if (!gw_tel_strs_add(s, ""))
                d->nomem = true;
        } else if (!json_is_string(e)) {
            type_error(d, e, gs, gp, "string", path);
            return;
        } else if (!gw_tel_strs_add(s, json_string_value(e))) {
            d->nomem = true;
        }
    }
}

/* []{"key","value"}; entries with an empty key or value are dropped (KrakenD skips them). */
static void decode_kvs(struct dctx *d, const json_t *v, struct gw_tel_kvs *k, const char *gs,
                       const char *gp, const char *path)
{
    size_t i;
    json_t *e;

    gw_tel_kvs_free(k);
    json_array_foreach(v, i, e)
    {
        const char *key = "", *val = "";
        const char *mk;
        json_t *mv;
        char p[256];

        if (json_is_null(e))
            continue;
        if (!json_is_object(e)) {
            type_error(d, e, gs, gp, "config.KeyValue", path);
            return;
        }
        json_object_foreach((json_t *)(uintptr_t)e, mk, mv)
        {
            bool is_key = strcasecmp(mk, "key") == 0, is_val = strcasecmp(mk, "value") == 0;
            gw_ocd_fmt(p, sizeof(p), "%s[%zu].%s", path, i, mk);
            if (!is_key && !is_val) {
                gw_ocd_warnf(d, "%s: unknown key, ignored (KrakenD CE does not read it)", p);
                continue;
            }
            if (json_is_null(mv))
                continue;
            if (!json_is_string(mv)) {
                type_error(d, mv, "KeyValue", is_key ? "key" : "value", "string", p);
                return;
            }
            if (is_key)
                key = json_string_value(mv);
            else
                val = json_string_value(mv);
        }
        if (!*key || !*val) {
            gw_ocd_warnf(d, "%s[%zu]: an empty key or value: attribute dropped", path, i);
            continue;
        }
        if (!gw_tel_kvs_add(k, key, val))
            d->nomem = true;
    }
}

static void decode_field(struct dctx *d, const json_t *v, const struct fdesc *f,
                         const struct odesc *od, void *dst, const char *path, const char *gp)
{
    void *slot = at(dst, f->off);

    switch (f->t) {
    case FT_STR:
        if (!json_is_string(v)) {
            type_error(d, v, od->go_struct, gp, "string", path);
            return;
        }
        set_str(d, slot, json_string_value(v));
        break;
    case FT_BOOL:
        if (!json_is_boolean(v)) {
            type_error(d, v, od->go_struct, gp, "bool", path);
            return;
        }
        *(bool *)slot = json_is_true(v);
        break;
    case FT_INT:
        if (!json_is_integer(v)) {
            type_error(d, v, od->go_struct, gp, "int", path);
            return;
        }
        *(long long *)slot = (long long)json_integer_value(v);
        break;
    case FT_UINT:
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            type_error(d, v, od->go_struct, gp, "uint", path);
            return;
        }
        *(unsigned long long *)slot = (unsigned long long)json_integer_value(v);
        break;
    case FT_FLOAT:
        if (!json_is_number(v)) {
            type_error(d, v, od->go_struct, gp, "float64", path);
            return;
        }
        *(double *)slot = json_number_value(v);
        break;
    case FT_STRS:
        if (!json_is_array(v)) {
            type_error(d, v, od->go_struct, gp, "[]string", path);
            return;
        }
        decode_strs(d, v, slot, od->go_struct, gp, path);
        break;
    case FT_KVS:
        if (!json_is_array(v)) {
            type_error(d, v, od->go_struct, gp, "config.Attributes", path);
            return;
        }
        decode_kvs(d, v, slot, od->go_struct, gp, path);
        break;
    case FT_OBJ:
        if (!json_is_object(v)) {
            type_error(d, v, od->go_struct, gp, f->go_type, path);
            return;
        }
        gw_ocd_decode_obj(d, v, f->sub, slot, path, gp);
        break;
    case FT_OBJS: {
        size_t *n = at(dst, f->n_off), i;
        void **items = slot;
        json_t *e;
        char p[256];

        if (!json_is_array(v)) {
            type_error(d, v, od->go_struct, gp, f->go_type, path);
            return;
        }
        for (i = 0; i < *n; i++)
            f->sub->free_fn((char *)*items + i * f->sub->size);
        free(*items);
        *items = NULL;
        *n = 0;
        if (json_array_size(v) == 0)
            break;
        *items = calloc(json_array_size(v), f->sub->size);
        if (!*items) {
            d->nomem = true;
            break;
        }
        json_array_foreach(v, i, e)
        {
            gw_ocd_fmt(p, sizeof(p), "%s[%zu]", path, i);
            *n = i + 1;
            if (json_is_null(e))
                continue;
            if (!json_is_object(e)) {
                type_error(d, e, od->go_struct, gp, f->go_type, p);
                return;
            }
            gw_ocd_decode_obj(d, e, f->sub, (char *)*items + i * f->sub->size, p, gp);
        }
        break;
    }
    }
    if (!d->failed && f->set_off != NOSET)
        *(bool *)at(dst, f->set_off) = true;
}

void gw_ocd_decode_obj(struct dctx *d, const json_t *obj, const struct odesc *od, void *dst,
                       const char *path, const char *gopath)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        const struct fdesc *f = NULL;
        char p[256], gp[256];

        if (d->failed || d->nomem)
            return;
        gw_ocd_fmt(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
        /* exact match first, then ASCII case-insensitive (Go also folds k/K/s specially) */
        for (size_t i = 0; i < od->n && !f; i++)
            if (strcmp(od->f[i].key, key) == 0)
                f = &od->f[i];
        for (size_t i = 0; i < od->n && !f; i++)
            if (strcasecmp(od->f[i].key, key) == 0)
                f = &od->f[i];
        if (!f) {
            const char *why = NULL;
            for (const struct ignored *ig = od->ig; ig && ig->key && !why; ig++)
                if (strcmp(ig->key, key) == 0)
                    why = ig->why;
            gw_ocd_warnf(d, "%s: %s", p,
                         why ? why : "unknown key, ignored (KrakenD CE does not read it)");
            continue;
        }
        if (json_is_null(v))
            continue; /* Go leaves the field unchanged */
        gw_ocd_fmt(gp, sizeof(gp), "%s%s%s", gopath, *gopath ? "." : "", f->key);
        decode_field(d, v, f, od, dst, p, gp);
    }
}

/* ---- krakend-otel's structs, as decoded ---- */

void gw_ocd_otlp_free(void *p)
{
    struct gw_otel_otlp_exporter *e = p;

    free(e->name);
    free(e->host);
    free(e->endpoint);
    free(e->traces_url);
    free(e->metrics_url);
}

void gw_ocd_prom_free(void *p)
{
    struct gw_otel_prom_exporter *e = p;

    free(e->name);
    free(e->host);
}

#define F(k, t, type, field)                                                                       \
    {                                                                                              \
        k, t, offsetof(type, field), NOSET, 0, NULL, NULL                                          \
    }
#define FS(k, t, type, field, set)                                                                 \
    {                                                                                              \
        k, t, offsetof(type, field), offsetof(type, set), 0, NULL, NULL                            \
    }

static const struct fdesc OTLP_F[] = {
    F("name", FT_STR, struct gw_otel_otlp_exporter, name),
    F("host", FT_STR, struct gw_otel_otlp_exporter, host),
    F("port", FT_INT, struct gw_otel_otlp_exporter, port),
    F("use_http", FT_BOOL, struct gw_otel_otlp_exporter, use_http),
    F("disable_metrics", FT_BOOL, struct gw_otel_otlp_exporter, disable_metrics),
    F("disable_traces", FT_BOOL, struct gw_otel_otlp_exporter, disable_traces),
    F("custom_metric_reporting_period", FT_UINT, struct gw_otel_otlp_exporter,
      custom_metric_reporting_period),
};
static const struct odesc OTLP_D = {"OTLPExporter",
                                    OTLP_F,
                                    sizeof(OTLP_F) / sizeof(OTLP_F[0]),
                                    sizeof(struct gw_otel_otlp_exporter),
                                    NULL,
                                    gw_ocd_otlp_free};

static const struct ignored PROM_IG[] = {
    {"listen_ip", "not read by KrakenD CE (schema/docs only): use \"host\""},
    {"custom_metric_reporting_period", "not read by KrakenD CE: Prometheus is scraped"},
    {NULL, NULL},
};
static const struct fdesc PROM_F[] = {
    F("name", FT_STR, struct gw_otel_prom_exporter, name),
    F("port", FT_INT, struct gw_otel_prom_exporter, port),
    F("host", FT_STR, struct gw_otel_prom_exporter, host),
    F("process_metrics", FT_BOOL, struct gw_otel_prom_exporter, process_metrics),
    F("go_metrics", FT_BOOL, struct gw_otel_prom_exporter, go_metrics),
    F("disable_metrics", FT_BOOL, struct gw_otel_prom_exporter, disable_metrics),
};
static const struct odesc PROM_D = {"PrometheusExporter",
                                    PROM_F,
                                    sizeof(PROM_F) / sizeof(PROM_F[0]),
                                    sizeof(struct gw_otel_prom_exporter),
                                    PROM_IG,
                                    gw_ocd_prom_free};

static const struct fdesc EXP_F[] = {
    {"otlp", FT_OBJS, offsetof(struct raw_root, otlp), NOSET, offsetof(struct raw_root, n_otlp),
     "[]config.OTLPExporter", &OTLP_D},
    {"prometheus", FT_OBJS, offsetof(struct raw_root, prom), NOSET,
     offsetof(struct raw_root, n_prom), "[]config.PrometheusExporter", &PROM_D},
};
/* "exporters" decodes into fields of the root itself (Go: an embedded value struct) */
static const struct odesc EXP_D = {"Exporters", EXP_F, 2, 0, NULL, NULL};

static const struct fdesc GLOBAL_F[] = {
    F("disable_metrics", FT_BOOL, struct raw_global, dm),
    F("disable_traces", FT_BOOL, struct raw_global, dt),
    F("disable_propagation", FT_BOOL, struct raw_global, dp),
    F("report_headers", FT_BOOL, struct raw_global, rh),
    F("skip_headers", FT_STRS, struct raw_global, skip),
    F("metrics_static_attributes", FT_KVS, struct raw_global, ms),
    F("traces_static_attributes", FT_KVS, struct raw_global, ts),
    F("semantic_convention", FT_STR, struct raw_global, semconv),
};
static const struct odesc GLOBAL_D = {"GlobalOpts", GLOBAL_F, 8, 0, NULL, NULL};

static const struct fdesc PIPE_F[] = {
    F("disable_metrics", FT_BOOL, struct gw_otel_proxy_opts, disable_metrics),
    F("disable_traces", FT_BOOL, struct gw_otel_proxy_opts, disable_traces),
    F("report_headers", FT_BOOL, struct gw_otel_proxy_opts, report_headers),
    F("skip_headers", FT_STRS, struct gw_otel_proxy_opts, skip_headers),
    F("metrics_static_attributes", FT_KVS, struct gw_otel_proxy_opts, metrics_static),
    F("traces_static_attributes", FT_KVS, struct gw_otel_proxy_opts, traces_static),
};
static const struct odesc PIPE_D = {"PipeOpts", PIPE_F, 6, 0, NULL, NULL};

#define BL(k, t, field) F(k, t, struct gw_otel_backend_layer, field)
static const struct fdesc BMET_F[] = {
    BL("disable_stage", FT_BOOL, disable_stage),
    BL("round_trip", FT_BOOL, round_trip),
    BL("read_payload", FT_BOOL, read_payload),
    BL("detailed_connection", FT_BOOL, detailed_connection),
    BL("static_attributes", FT_KVS, static_attrs),
};
static const struct odesc BMET_D = {"BackendMetricOpts", BMET_F, 5, 0, NULL, NULL};
static const struct fdesc BTRA_F[] = {
    BL("disable_stage", FT_BOOL, disable_stage),
    BL("round_trip", FT_BOOL, round_trip),
    BL("read_payload", FT_BOOL, read_payload),
    BL("detailed_connection", FT_BOOL, detailed_connection),
    BL("static_attributes", FT_KVS, static_attrs),
    BL("report_headers", FT_BOOL, report_headers),
    BL("skip_headers", FT_STRS, skip_headers),
};
static const struct odesc BTRA_D = {"BackendTraceOpts", BTRA_F, 7, 0, NULL, NULL};

static const struct fdesc BACKEND_F[] = {
    {"metrics", FT_OBJ, offsetof(struct raw_backend, metrics),
     offsetof(struct raw_backend, has_metrics), 0, "config.BackendMetricOpts", &BMET_D},
    {"traces", FT_OBJ, offsetof(struct raw_backend, traces),
     offsetof(struct raw_backend, has_traces), 0, "config.BackendTraceOpts", &BTRA_D},
};
static const struct odesc BACKEND_D = {"BackendOpts", BACKEND_F, 2, 0, NULL, NULL};

static const struct fdesc LAYERS_F[] = {
    {"global", FT_OBJ, offsetof(struct raw_layers, global), offsetof(struct raw_layers, has_global),
     0, "config.GlobalOpts", &GLOBAL_D},
    {"proxy", FT_OBJ, offsetof(struct raw_layers, proxy), offsetof(struct raw_layers, has_proxy), 0,
     "config.PipeOpts", &PIPE_D},
    {"backend", FT_OBJ, offsetof(struct raw_layers, backend),
     offsetof(struct raw_layers, has_backend), 0, "config.BackendOpts", &BACKEND_D},
};
static const struct ignored LAYERS_IG[] = {
    {"exporters_override", "ignored: an Enterprise Edition feature KrakenD CE does not read"},
    {NULL, NULL},
};
const struct odesc GW_OCD_LAYERS = {"LayersOpts", LAYERS_F, 3, 0, LAYERS_IG, NULL};

static const struct fdesc ROOT_F[] = {
    F("service_name", FT_STR, struct raw_root, service_name),
    F("service_version", FT_STR, struct raw_root, service_version),
    F("deploy_env", FT_STR, struct raw_root, deploy_env),
    {"layers", FT_OBJ, offsetof(struct raw_root, layers), offsetof(struct raw_root, has_layers), 0,
     "config.LayersOpts", &GW_OCD_LAYERS},
    {"exporters", FT_OBJ, 0, NOSET, 0, "config.Exporters", &EXP_D},
    F("skip_paths", FT_STRS, struct raw_root, skip_paths),
    FS("metric_reporting_period", FT_INT, struct raw_root, period, has_period),
    FS("trace_sample_rate", FT_FLOAT, struct raw_root, rate, has_rate),
};
static const struct ignored ROOT_IG[] = {
    {"histograms", "not read by KrakenD CE (Enterprise Edition): the buckets are fixed (§3.8)"},
    {NULL, NULL},
};
const struct odesc GW_OCD_ROOT = {"ConfigData", ROOT_F, 8, 0, ROOT_IG, NULL};

void gw_ocd_raw_layers_free(struct raw_layers *l)
{
    gw_tel_strs_free(&l->global.skip);
    gw_tel_kvs_free(&l->global.ms);
    gw_tel_kvs_free(&l->global.ts);
    free(l->global.semconv);
    gw_tel_strs_free(&l->proxy.skip_headers);
    gw_tel_kvs_free(&l->proxy.metrics_static);
    gw_tel_kvs_free(&l->proxy.traces_static);
    gw_tel_kvs_free(&l->backend.metrics.static_attrs);
    gw_tel_strs_free(&l->backend.metrics.skip_headers);
    gw_tel_kvs_free(&l->backend.traces.static_attrs);
    gw_tel_strs_free(&l->backend.traces.skip_headers);
}

void gw_ocd_raw_root_free(struct raw_root *r)
{
    free(r->service_name);
    free(r->service_version);
    free(r->deploy_env);
    gw_ocd_raw_layers_free(&r->layers);
    for (size_t i = 0; i < r->n_otlp; i++)
        gw_ocd_otlp_free(&r->otlp[i]);
    free(r->otlp);
    for (size_t i = 0; i < r->n_prom; i++)
        gw_ocd_prom_free(&r->prom[i]);
    free(r->prom);
    gw_tel_strs_free(&r->skip_paths);
}
