/* gw_otlp.h - OTLP/HTTP request bodies (spec §3.5): ExportTraceServiceRequest and
 * ExportMetricsServiceRequest, in protobuf (protobuf-c, from the .proto files in proto/) and
 * in OTLP's JSON encoding. Pure: bytes in, bytes out. */
#ifndef GW_OTLP_H
#define GW_OTLP_H

#include "cmn_buf.h"
#include "gw_metrics.h"
#include "gw_otel_config.h"
#include "gw_span.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_OTLP_SCHEMA_URL "https://opentelemetry.io/schemas/1.21.0"
#define GW_OTLP_PB_CONTENT_TYPE "application/x-protobuf"
#define GW_OTLP_JSON_CONTENT_TYPE "application/json"

/* Who sends: the resource attributes and the instrumentation scope. */
struct gw_otlp_source {
    const struct gw_tel_kvs *resource; /* string attributes, sorted */
    const char *schema_url;            /* GW_OTLP_SCHEMA_URL */
    const char *scope_name;            /* "io.krakend.krakend-otel" */
    const char *scope_version;         /* "" */
};

/* The trace encoder of one thread (the exporter's): the resource and scope packed once, a
 * buffer for the spans it reuses from body to body. Owned (gw_otlp_enc_free); src is copied
 * (its strings borrowed). NULL on allocation failure. */
struct gw_otlp_enc;
struct gw_otlp_enc *gw_otlp_enc_new(const struct gw_otlp_source *src);
void gw_otlp_enc_free(struct gw_otlp_enc *e);

/* Protobuf bodies. *out is owned by the caller (free); false on allocation failure or when
 * the message would exceed max_bytes. The spans' bytes decode as OTLP's Span messages. */
bool gw_otlp_enc_traces(struct gw_otlp_enc *e, struct gw_span *const *spans, size_t n,
                        size_t max_bytes, uint8_t **out, size_t *len);
/* The same body built a span at a time, so that a span's record can be given back as soon as
 * it is written: gw_otlp_enc_add appends s to the body in the making (false on allocation
 * failure: s is not in it); gw_otlp_enc_pending is how many bytes its spans take so far;
 * gw_otlp_enc_finish makes the body of the spans added since the last finish (as
 * gw_otlp_enc_traces) and starts the next one empty, whether it succeeds or not. */
bool gw_otlp_enc_add(struct gw_otlp_enc *e, const struct gw_span *s);
size_t gw_otlp_enc_pending(const struct gw_otlp_enc *e);
bool gw_otlp_enc_finish(struct gw_otlp_enc *e, size_t max_bytes, uint8_t **out, size_t *len);
/* Every point of snap as a cumulative sum or histogram, at now (Unix ns). */
bool gw_otlp_metrics_pb(const struct gw_otlp_source *src, const struct gw_metrics_snapshot *snap,
                        int64_t now, size_t max_bytes, uint8_t **out, size_t *len);

/* OTLP/JSON bodies (ids as hex, 64-bit integers as strings, enums as numbers), appended to out;
 * false when out's cap is reached or memory ran out. */
bool gw_otlp_traces_json(const struct gw_otlp_source *src, struct gw_span *const *spans, size_t n,
                         struct cmn_buf *out);
bool gw_otlp_metrics_json(const struct gw_otlp_source *src, const struct gw_metrics_snapshot *snap,
                          int64_t now, struct cmn_buf *out);

#endif
