/* gw_otel_metrics.h - KrakenD's OpenTelemetry instruments (spec §3.7): the global, proxy,
 * backend, round-trip and payload layers, with their exact names, units and labels, resolved
 * per endpoint and backend at startup and recorded per request on the worker's shard. */
#ifndef GW_OTEL_METRICS_H
#define GW_OTEL_METRICS_H

#include "gw_metrics.h"
#include "gw_otel_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_OTEL_SCOPE "io.krakend.krakend-otel"

/* §3.8, seconds and bytes; the +Inf bucket is implied. */
extern const double gw_otel_time_buckets[20];
extern const double gw_otel_size_buckets[15];

/* http.request.method normalisation of the global layer: upper-cased, anything outside this
 * list is "_OTHER" (index 0). */
enum gw_otel_method {
    GW_OTEL_M_OTHER = 0,
    GW_OTEL_M_CONNECT,
    GW_OTEL_M_DELETE,
    GW_OTEL_M_GET,
    GW_OTEL_M_HEAD,
    GW_OTEL_M_OPTIONS,
    GW_OTEL_M_PATCH,
    GW_OTEL_M_POST,
    GW_OTEL_M_PUT,
    GW_OTEL_M_TRACE,
};
enum gw_otel_method gw_otel_method_index(const char *m, size_t n);
const char *gw_otel_method_name(enum gw_otel_method m);

/* Stage outcome labels (krakend.proxy.duration, krakend.backend.duration). */
#define GW_OTEL_OUT_ERROR 1u
#define GW_OTEL_OUT_CANCELED 2u
#define GW_OTEL_OUT_COMPLETE 4u

/* error/canceled/complete as KrakenD derives them (§3.7): with no error both flags are false;
 * with one, canceled = the error is a cancellation, error = not canceled (a merge error with
 * both kinds sets both). */
unsigned gw_otel_outcome(bool has_error, bool has_cancel, bool has_other, bool complete);

struct gw_otel_metrics;
struct gw_otel_metrics_endpoint;
struct gw_otel_metrics_backend;

/* The catalogue on a new registry of n_workers shards (slots: cells per shard, 0 = default).
 * Owned (gw_otel_metrics_destroy); NULL with err on failure. c is borrowed for the call. */
struct gw_otel_metrics *gw_otel_metrics_new(const struct gw_otel_config *c, unsigned n_workers,
                                            size_t slots, int64_t start_unix_ns,
                                            struct cmn_err *err);
void gw_otel_metrics_destroy(struct gw_otel_metrics *m);
/* Borrowed registry (for collection, the Prometheus and OTLP renderers). */
struct gw_metrics *gw_otel_metrics_registry(struct gw_otel_metrics *m);
/* Borrowed shard of worker i (i == n_workers: the shared one). */
struct gw_metrics_shard *gw_otel_metrics_shard(struct gw_otel_metrics *m, unsigned i);

/* Startup, per endpoint: route in gin form ("/users/:id"), the configured method, and the
 * effective options (gw_otel_config_endpoint). Owned by m; NULL on memory failure. A skipped
 * endpoint (skip_paths) gets a handle that records nothing at the proxy/backend layers and
 * counts as "no endpoint" at the global layer (KrakenD's route tagger is skipped too). */
struct gw_otel_metrics_endpoint *
gw_otel_metrics_endpoint_new(struct gw_otel_metrics *m, const char *route, const char *method,
                             const struct gw_otel_endpoint_opts *eo);

/* Startup, per backend of ep: its url_pattern in Lura's {param} form (normalised here to
 * "/users/:userid"), its method, the effective options (gw_otel_config_backend) and its hosts
 * ("http://127.0.0.1:8081", as sanitised by the config). Owned by m. */
struct gw_otel_metrics_backend *
gw_otel_metrics_backend_new(struct gw_otel_metrics *m, const struct gw_otel_metrics_endpoint *ep,
                            const char *url_pattern, const char *method,
                            const struct gw_otel_backend_eff *be, const char *const *hosts,
                            size_t n_hosts);

/* Per request, global layer, at the end of the outermost handler. ep is NULL when no endpoint
 * handler ran (404, 405, OPTIONS preflight, /__health ...): the route is then "<status>
 * <text>" ("Upgraded Connection" when hijacked). bytes: body bytes written. Does nothing when
 * the path was in skip_paths (the caller checks gw_otel_config_skips on the raw path) or
 * layers.global.disable_metrics. */
void gw_otel_metrics_global(struct gw_otel_metrics *m, struct gw_metrics_shard *s,
                            const struct gw_otel_metrics_endpoint *ep, enum gw_otel_method method,
                            int status, bool hijacked, double secs, int64_t bytes);

/* Per endpoint proxy call (§1.4 stack), outcome = GW_OTEL_OUT_* bits. */
void gw_otel_metrics_proxy(struct gw_metrics_shard *s, const struct gw_otel_metrics_endpoint *ep,
                           unsigned outcome, double secs);

/* Per backend stage call (§1.5 from the OTel layer inwards). */
void gw_otel_metrics_backend(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                             unsigned outcome, double secs);

enum gw_otel_rt_error {
    GW_OTEL_RT_OK = 0,
    GW_OTEL_RT_FAILED,   /* transport error, context still live */
    GW_OTEL_RT_CANCELED, /* the request context was cancelled (not counted as failed) */
    GW_OTEL_RT_TIMEDOUT, /* the request context deadline passed (counted as failed too) */
};

/* One HTTP round trip to a backend (each redirect hop is one). */
struct gw_otel_rt {
    size_t host; /* index into the backend's hosts */
    int method;  /* enum gw_otel_method, or -1: the backend's configured one */
    enum gw_otel_rt_error error;
    int status;                  /* response status; ignored (0) when error */
    int64_t req_content_length;  /* -1 when unknown */
    int64_t resp_content_length; /* -1 when the response has none (chunked) */
    bool head;                   /* a HEAD request: no response size metrics */
    double secs;                 /* until the response headers */
    double get_conn, dns, tls;   /* detailed_connection: 0 when nothing was measured */
};

void gw_otel_metrics_roundtrip(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                               const struct gw_otel_rt *rt);

/* Body read of one backend response (read_payload): bytes read, seconds from the first read to
 * EOF/close, read_error when the read failed (other than EOF). */
void gw_otel_metrics_payload(struct gw_metrics_shard *s, const struct gw_otel_metrics_backend *be,
                             int64_t bytes, double secs, bool read_error);

/* Lura/krakend-otel route of a backend url_pattern: every {name} becomes ":" + lower-case name
 * ("/users/{userId}?x={y}" -> "/users/:userid?x=:y"). Owned or NULL. */
char *gw_otel_backend_route(const char *url_pattern);

#endif
