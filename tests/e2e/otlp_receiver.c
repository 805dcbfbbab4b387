/* otlp_receiver.c - a small OTLP/HTTP collector for the end-to-end tests: POST /v1/traces and
 * /v1/metrics are decoded with OTLP's own messages (protobuf-c, the definitions the gateway is
 * built from, not its encoder) and written out one JSON object per span or metric, so a test
 * can check names, kinds, parent links and attributes with jq. Also the sink of the benchmark
 * (--quiet: decode and count only).
 *
 * Usage: otlp_receiver --port N [--out FILE] [--quiet]    (loopback only; SIGTERM to stop) */
#include "cmn_http.h"

#include <jansson.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static FILE *g_out;
static bool g_quiet;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long g_spans, g_metrics, g_bodies, g_bad;

static void hex(const ProtobufCBinaryData *b, char *out)
{
    static const char d[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < b->len && i < 32; i++) {
        out[2 * i] = d[b->data[i] >> 4];
        out[2 * i + 1] = d[b->data[i] & 15];
    }
    out[2 * i] = '\0';
}

static json_t *any_value(const Opentelemetry__Proto__Common__V1__AnyValue *v)
{
    json_t *a;

    if (!v)
        return json_null();
    switch (v->value_case) {
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
        return json_string(v->string_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
        return json_boolean(v->bool_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
        return json_integer(v->int_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
        return json_real(v->double_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
        a = json_array();
        for (size_t i = 0; v->array_value && i < v->array_value->n_values; i++)
            json_array_append_new(a, any_value(v->array_value->values[i]));
        return a;
    default:
        return json_null();
    }
}

/* Attributes as an object; a key that repeats is listed in "_repeated" (the gateway must not
 * send one twice). */
static json_t *attrs(Opentelemetry__Proto__Common__V1__KeyValue **kv, size_t n)
{
    json_t *o = json_object();

    for (size_t i = 0; i < n; i++) {
        if (json_object_get(o, kv[i]->key)) {
            json_t *r = json_object_get(o, "_repeated");
            if (!r)
                json_object_set_new(o, "_repeated", r = json_array());
            json_array_append_new(r, json_string(kv[i]->key));
        }
        json_object_set_new(o, kv[i]->key, any_value(kv[i]->value));
    }
    return o;
}

static void emit(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

    json_decref(j);
    if (!s)
        return;
    pthread_mutex_lock(&g_mu);
    fprintf(g_out, "%s\n", s);
    fflush(g_out);
    pthread_mutex_unlock(&g_mu);
    free(s);
}

static bool traces(const uint8_t *b, size_t n)
{
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req =
        opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(NULL, n,
                                                                                         b);
    unsigned long count = 0;

    if (!req)
        return false;
    for (size_t r = 0; r < req->n_resource_spans; r++) {
        const Opentelemetry__Proto__Trace__V1__ResourceSpans *rs = req->resource_spans[r];
        for (size_t s = 0; s < rs->n_scope_spans; s++) {
            const Opentelemetry__Proto__Trace__V1__ScopeSpans *ss = rs->scope_spans[s];
            for (size_t i = 0; i < ss->n_spans; i++) {
                const Opentelemetry__Proto__Trace__V1__Span *sp = ss->spans[i];
                char tid[33], sid[33], pid[33];
                json_t *j, *ev;
                count++;
                if (g_quiet)
                    continue;
                hex(&sp->trace_id, tid);
                hex(&sp->span_id, sid);
                hex(&sp->parent_span_id, pid);
                ev = json_array();
                for (size_t e = 0; e < sp->n_events; e++)
                    json_array_append_new(
                        ev,
                        json_pack("{s:s,s:o}", "name", sp->events[e]->name, "attrs",
                                  attrs(sp->events[e]->attributes, sp->events[e]->n_attributes)));
                j = json_pack(
                    "{s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:i,s:s,s:o,s:o,s:o,s:s,s:s,"
                    "s:i,s:i}",
                    "type", "span", "trace_id", tid, "span_id", sid, "parent", pid, "name",
                    sp->name, "kind", (int)sp->kind, "start", (json_int_t)sp->start_time_unix_nano,
                    "end", (json_int_t)sp->end_time_unix_nano, "status",
                    sp->status ? (int)sp->status->code : 0, "status_message",
                    sp->status && sp->status->message ? sp->status->message : "", "attrs",
                    attrs(sp->attributes, sp->n_attributes), "resource",
                    rs->resource ? attrs(rs->resource->attributes, rs->resource->n_attributes)
                                 : json_object(),
                    "events", ev, "scope", ss->scope ? ss->scope->name : "", "trace_state",
                    sp->trace_state ? sp->trace_state : "", "flags", (int)sp->flags,
                    "dropped_attributes", (int)sp->dropped_attributes_count);
                if (j)
                    emit(j);
            }
        }
    }
    pthread_mutex_lock(&g_mu);
    g_spans += count;
    pthread_mutex_unlock(&g_mu);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req,
                                                                                            NULL);
    return true;
}

static bool metrics(const uint8_t *b, size_t n)
{
    Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *req =
        opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(NULL,
                                                                                             n, b);

    if (!req)
        return false;
    for (size_t r = 0; r < req->n_resource_metrics; r++) {
        const Opentelemetry__Proto__Metrics__V1__ResourceMetrics *rm = req->resource_metrics[r];
        for (size_t s = 0; s < rm->n_scope_metrics; s++) {
            const Opentelemetry__Proto__Metrics__V1__ScopeMetrics *sm = rm->scope_metrics[s];
            for (size_t i = 0; i < sm->n_metrics; i++) {
                const Opentelemetry__Proto__Metrics__V1__Metric *m = sm->metrics[i];
                json_t *pts = json_array();
                pthread_mutex_lock(&g_mu);
                g_metrics++;
                pthread_mutex_unlock(&g_mu);
                if (g_quiet) {
                    json_decref(pts);
                    continue;
                }
                if (m->data_case == OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM)
                    for (size_t p = 0; p < m->histogram->n_data_points; p++)
                        json_array_append_new(
                            pts,
                            json_pack("{s:o,s:I}", "attrs",
                                      attrs(m->histogram->data_points[p]->attributes,
                                            m->histogram->data_points[p]->n_attributes),
                                      "count", (json_int_t)m->histogram->data_points[p]->count));
                else if (m->data_case == OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM)
                    for (size_t p = 0; p < m->sum->n_data_points; p++)
                        json_array_append_new(
                            pts, json_pack("{s:o,s:I}", "attrs",
                                           attrs(m->sum->data_points[p]->attributes,
                                                 m->sum->data_points[p]->n_attributes),
                                           "value", (json_int_t)m->sum->data_points[p]->as_int));
                emit(json_pack("{s:s,s:s,s:s,s:o}", "type", "metric", "name", m->name, "kind",
                               m->data_case ==
                                       OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM
                                   ? "histogram"
                                   : "sum",
                               "points", pts));
            }
        }
    }
    opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(
        req, NULL);
    return true;
}

/* gunzip of a Content-Encoding: gzip body; owned, NULL when it is not gzip. */
static uint8_t *gunzip(const char *in, size_t n, size_t *out_len)
{
    z_stream z;
    size_t cap = n * 8 + 1024;
    uint8_t *out = malloc(cap);

    if (!out)
        return NULL;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        free(out);
        return NULL;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (inflate(&z, Z_FINISH) != Z_STREAM_END) {
        inflateEnd(&z);
        free(out);
        return NULL;
    }
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

static void handle(void *ctx, struct cmn_http_exchange *ex, const struct cmn_http_request *req)
{
    const char *ce = cmn_http_request_header(req, "Content-Encoding");
    const uint8_t *body = (const uint8_t *)req->body;
    uint8_t *plain = NULL;
    size_t len = req->body_len;
    bool ok;

    (void)ctx;
    if (strcmp(req->method, "POST") != 0) {
        cmn_http_exchange_respond(ex, cmn_http_response_new(405));
        return;
    }
    if (ce && strcmp(ce, "gzip") == 0) {
        plain = gunzip(req->body, req->body_len, &len);
        body = plain;
    }
    if (strcmp(req->path, "/v1/traces") == 0)
        ok = body && traces(body, len);
    else if (strcmp(req->path, "/v1/metrics") == 0)
        ok = body && metrics(body, len);
    else {
        free(plain);
        cmn_http_exchange_respond(ex, cmn_http_response_new(404));
        return;
    }
    free(plain);
    pthread_mutex_lock(&g_mu);
    g_bodies++;
    g_bad += !ok;
    pthread_mutex_unlock(&g_mu);
    if (!ok && !g_quiet)
        emit(json_pack("{s:s,s:s}", "type", "error", "path", req->path));
    {
        /* an empty Export*ServiceResponse */
        struct cmn_http_response *r = cmn_http_response_new(ok ? 200 : 400);
        if (r)
            cmn_http_response_add_header(r, "Content-Type", "application/x-protobuf");
        cmn_http_exchange_respond(ex, r);
    }
}

int main(int argc, char **argv)
{
    struct cmn_http_server_opts o = {0};
    struct cmn_http_server *s;
    struct cmn_err err = {0};
    const char *out = NULL;
    sigset_t set;
    int sig;

    o.bind = "127.0.0.1";
    o.threads = 2;
    o.max_body = 64u << 20;
    o.handler = handle;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            o.port = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            g_quiet = true;
        else {
            fprintf(stderr, "usage: otlp_receiver --port N [--out FILE] [--quiet]\n");
            return 2;
        }
    }
    g_out = out ? fopen(out, "w") : stdout;
    if (!g_out) {
        perror(out);
        return 1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    s = cmn_http_server_start(&o, &err);
    if (!s) {
        fprintf(stderr, "otlp_receiver: %s\n", err.msg);
        return 1;
    }
    fprintf(stderr, "otlp_receiver: listening on 127.0.0.1:%u\n", cmn_http_server_port(s));
    sigwait(&set, &sig);
    cmn_http_server_stop(s, 1000);
    fprintf(stderr, "otlp_receiver: %lu bodies (%lu refused), %lu spans, %lu metrics\n", g_bodies,
            g_bad, g_spans, g_metrics);
    if (g_out != stdout)
        fclose(g_out);
    return 0;
}
