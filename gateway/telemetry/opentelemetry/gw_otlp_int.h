/* gw_otlp_int.h - what gw_otlp.c (metrics, shared helpers) and gw_otlp_traces.c (the trace
 * encoder) share: protobuf-c's generated OTLP messages, an arena for them, builders. */
#ifndef GW_OTLP_INT_H
#define GW_OTLP_INT_H

#include "gw_otlp.h"

#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h>
#include <opentelemetry/proto/trace/v1/trace.pb-c.h>

#include <stdbool.h>
#include <stddef.h>

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

/* A chained bump arena: one body's messages, freed (or emptied) at once. */
struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct block *head;
    bool failed; /* an allocation failed since the last reset */
};

/* n bytes, cleared / not cleared; NULL (and a->failed) on allocation failure. */
void *gw_otlp_arena_alloc(struct arena *a, size_t n);
void *gw_otlp_arena_raw(struct arena *a, size_t n);
void gw_otlp_arena_free(struct arena *a);

/* protobuf-c's string fields are not const; it only reads them. NULL becomes "". */
char *gw_otlp_str(const char *s);
/* A span attribute's value / n attributes as KeyValue messages in arena memory; NULL on
 * allocation failure. */
ANY *gw_otlp_any(struct arena *a, const struct gw_span_attr *at);
KV **gw_otlp_kv_list(struct arena *a, const struct gw_span_attr *const *at, size_t n);
KV **gw_otlp_attr_array(struct arena *a, const struct gw_span_attr *at, size_t n);
RES *gw_otlp_resource(struct arena *a, const struct gw_otlp_source *src);
SCOPE *gw_otlp_scope(struct arena *a, const struct gw_otlp_source *src);
/* m packed into an owned buffer; false on allocation failure or over max_bytes. */
bool gw_otlp_pack(const ProtobufCMessage *m, size_t max_bytes, uint8_t **out, size_t *len);

#endif
