/* gw_otel_config.h - extra_config "telemetry/opentelemetry" (krakend-otel) parsed once into an
 * immutable struct: service level (spec §3.2), endpoint and backend overrides (§3.3),
 * exporters (§3.4, §3.5), skip_paths (§3.11) and report_headers. */
#ifndef GW_OTEL_CONFIG_H
#define GW_OTEL_CONFIG_H

#include "cmn_err.h"
#include "gw_tel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_OTEL_NAMESPACE "telemetry/opentelemetry"

enum gw_otel_config_status {
    GW_OTEL_CONFIG_OK = 0,
    GW_OTEL_CONFIG_ABSENT,  /* no block: OpenTelemetry is off (no wrapping at all) */
    GW_OTEL_CONFIG_INVALID, /* KrakenD refuses it: OpenTelemetry disabled, error logged */
    GW_OTEL_CONFIG_NOMEM,
};

enum gw_otel_semconv {
    GW_OTEL_SEMCONV_DEFAULT = 0, /* "" or anything unknown */
    GW_OTEL_SEMCONV_1_27,
};

struct gw_otel_global_opts {
    bool disable_metrics, disable_traces, disable_propagation, report_headers;
    struct gw_tel_strs skip_headers;
    struct gw_tel_kvs metrics_static, traces_static;
    enum gw_otel_semconv semconv;
};

struct gw_otel_proxy_opts {
    bool disable_metrics, disable_traces, report_headers;
    struct gw_tel_strs skip_headers;
    struct gw_tel_kvs metrics_static, traces_static;
};

/* layers.backend.metrics / .traces; `present` tells a declared object from an absent one. */
struct gw_otel_backend_layer {
    bool present;
    bool disable_stage, round_trip, read_payload, detailed_connection;
    struct gw_tel_kvs static_attrs;
    bool report_headers; /* traces only */
    struct gw_tel_strs skip_headers;
};

struct gw_otel_backend_opts {
    struct gw_otel_backend_layer metrics, traces;
};

struct gw_otel_prom_exporter {
    char *name;
    char *host; /* "" = every interface; listen on "host:port" as text (no IPv6 brackets) */
    long long port;
    bool process_metrics, go_metrics, disable_metrics;
};

struct gw_otel_otlp_exporter {
    char *name;
    char *host; /* as configured */
    long long port;
    bool use_http, disable_metrics, disable_traces;
    unsigned long long custom_metric_reporting_period;
    /* derived */
    char *endpoint;     /* "host:port" (scheme and path dropped) */
    bool tls;           /* host started with https:// (HTTP transport only) */
    char *traces_url;   /* "<scheme>://host:port/v1/traces" */
    char *metrics_url;  /* "<scheme>://host:port/v1/metrics" */
    long long period_s; /* effective metric push period */
};

/* Values the parser may not read itself (no getenv in logic): the caller passes them. */
struct gw_otel_config_env {
    const char *root_name;                /* krakend.json "name", NULL when absent */
    const char *gateway_version;          /* service.version default, e.g. "2.13.8" */
    const char *otel_service_name;        /* OTEL_SERVICE_NAME or NULL */
    const char *otel_resource_attributes; /* OTEL_RESOURCE_ATTRIBUTES or NULL */
    const char *otlp_headers;             /* OTEL_EXPORTER_OTLP_HEADERS or NULL */
    const char *otlp_timeout_ms;          /* OTEL_EXPORTER_OTLP_TIMEOUT or NULL */
    const char *otlp_compression;         /* OTEL_EXPORTER_OTLP_COMPRESSION or NULL */
    const char *otlp_protocol;            /* OTEL_EXPORTER_OTLP_PROTOCOL or NULL */
    const char *propagators;              /* OTEL_PROPAGATORS or NULL */
};

struct gw_otel_config {
    char *service_name, *service_version, *deploy_env;
    long long metric_reporting_period; /* seconds */
    double trace_sample_rate;
    bool ratio_sampler; /* 0 < rate < 1: parent-based trace-id ratio; else always sample */
    struct gw_tel_strs skip_paths;
    size_t *skip_path_lens; /* strlen of each, for the per-request comparison */
    struct gw_otel_global_opts global;
    struct gw_otel_proxy_opts proxy;
    struct gw_otel_backend_opts backend; /* after the service-level default filling */
    struct gw_otel_prom_exporter *prometheus;
    size_t n_prometheus;
    struct gw_otel_otlp_exporter *otlp;
    size_t n_otlp;
    /* the resource: config values over the environment's (sorted by key) */
    struct gw_tel_kvs resource;
    struct gw_tel_kvs otlp_headers; /* from OTEL_EXPORTER_OTLP_HEADERS */
    long long otlp_timeout_ms;      /* 10000 default */
    bool otlp_gzip;
    bool otlp_json;              /* OTEL_EXPORTER_OTLP_PROTOCOL=http/json (an extension) */
    bool propagate_tracecontext; /* OTEL_PROPAGATORS: traceparent/tracestate (default on) */
    bool propagate_baggage;      /* OTEL_PROPAGATORS: baggage (default on) */
    bool any_metrics_exporter;   /* a reader exists: instruments record */
    bool any_traces_exporter;    /* a span processor exists: spans record */
    /* what was ignored or is not implemented, each naming its JSON path */
    struct gw_tel_strs warnings;
};

/* Parses the value of extra_config["telemetry/opentelemetry"] (block may be NULL: ABSENT).
 * On OK *out is an owned config (gw_otel_config_free). On INVALID err says why in KrakenD's
 * words plus the JSON path; the gateway then runs without OpenTelemetry. */
enum gw_otel_config_status gw_otel_config_parse(const json_t *block,
                                                const struct gw_otel_config_env *env,
                                                struct gw_otel_config **out, struct cmn_err *err);
void gw_otel_config_free(struct gw_otel_config *c);

/* Effective options of one endpoint (§3.3): the proxy layer (an endpoint "proxy" object
 * replaces the service's), the endpoint "global" static attributes, and whether skip_paths
 * names the endpoint (gin form, "/users/:id"). */
struct gw_otel_endpoint_opts {
    bool skip;
    struct gw_otel_proxy_opts proxy;         /* owned copy */
    struct gw_tel_kvs global_metrics_static; /* owned */
    struct gw_tel_kvs global_traces_static;  /* owned */
};

/* Effective options of one backend: the backend "backend" object replaces the service's
 * (no default filling), then the stage/round-trip decisions KrakenD makes from it. */
struct gw_otel_backend_eff {
    bool skip;                        /* parent endpoint in skip_paths */
    struct gw_otel_backend_opts opts; /* owned copy, as effective */
    bool stage_metrics, stage_traces; /* krakend.backend.duration / backend span */
    bool client_instrumented;         /* HTTP client wrapped at all */
    bool rt_metrics;                  /* http.client.* (round_trip || read_payload) */
    bool rt_detailed;                 /* get-conn/dns/tls (and 1.27 counters) */
    bool payload_metrics;             /* http.client.response.read.* */
    bool rt_span, payload_span, rt_detailed_span;
};

/* endpoint_block / backend_block: the "telemetry/opentelemetry" value of that endpoint's or
 * backend's extra_config (may be NULL). json_path prefixes warnings ("endpoints[2]").
 * Warnings are appended to warn (owned strings). Returns false on allocation failure only. */
bool gw_otel_config_endpoint(const struct gw_otel_config *c, const char *endpoint,
                             const json_t *endpoint_block, const char *json_path,
                             struct gw_otel_endpoint_opts *out, struct gw_tel_strs *warn);
void gw_otel_endpoint_opts_free(struct gw_otel_endpoint_opts *o);
bool gw_otel_config_backend(const struct gw_otel_config *c, const char *parent_endpoint,
                            const json_t *backend_block, const char *json_path,
                            struct gw_otel_backend_eff *out, struct gw_tel_strs *warn);
void gw_otel_backend_eff_free(struct gw_otel_backend_eff *o);

/* skip_paths: exact string equality (the raw request path at the global layer, the gin-form
 * endpoint at the other layers). */
bool gw_otel_config_skips(const struct gw_otel_config *c, const char *s, size_t n);

/* report_headers: whether header `name` (n bytes) is reported, comparing canonical forms
 * (ASCII case-insensitive) against skip. */
bool gw_otel_header_reported(const struct gw_tel_strs *skip, const char *name, size_t n);

/* "http.request.header." + lower-case name into out (cap bytes, NUL-terminated); returns the
 * length, 0 when it does not fit. */
size_t gw_otel_header_attr(char *out, size_t cap, bool response, const char *name, size_t n);

#endif
