/* gw_telemetry_int.h - shared internals of gw_telemetry.c and gw_telemetry_rt.c. */
#ifndef GW_TELEMETRY_INT_H
#define GW_TELEMETRY_INT_H

#include "gw_telemetry.h"

#include <pthread.h>

struct gw_telemetry {
    const struct gw_otel_config *cfg;
    struct gw_tel_slots slots;
    unsigned n_slots; /* slots.cap + 1 (the shared one) */
    unsigned spans_per_thread;
    struct gw_otel_metrics *metrics; /* NULL: no metrics exporter */
    struct gw_span_buf **bufs;       /* per slot, made on first use; NULL: no traces exporter */
    pthread_mutex_t bufs_mu;         /* making one */
    /* The exporter's doorbell (gw_telemetry_doze): a thread that finishes a span while the
     * exporter dozes and its buffer holds bell_at spans or more rings it. */
    pthread_mutex_t bell_mu;
    pthread_cond_t bell_cv;
    bool bell_rung;      /* under bell_mu */
    int bell_idle;       /* atomic: the exporter dozes and wants a ring */
    unsigned bell_at;
    struct gw_otel_random rnd;
    bool traces_on;
    bool global_traces, global_metrics, propagation, baggage;
    bool ratio;
    uint64_t ratio_bound;
    struct gw_span_tmpl global_tmpl;  /* stage + service-level global statics */
    struct gw_metrics_shard **shards; /* per worker, NULL without metrics */
    struct gw_telemetry_endpoint **eps;
    size_t n_eps, cap_eps;
    struct gw_telemetry_backend **bes;
    size_t n_bes, cap_bes;
};

struct gw_telemetry_endpoint {
    struct gw_otel_metrics_endpoint *m;
    char *route, *method;
    size_t route_len, method_len;
    struct gw_otel_endpoint_opts opts;
    bool skip;
    bool proxy_span;
    struct gw_span_tmpl proxy_tmpl; /* method, route, proxy statics, stage */
};

struct gw_telemetry_backend {
    struct gw_otel_metrics_backend *m;
    const struct gw_telemetry_endpoint *ep;
    char *route, *method;
    size_t route_len, method_len;
    struct gw_otel_backend_eff eff;
    bool stage_span, rt_span, payload_span, detailed_span, report_headers;
    struct gw_span_tmpl stage_tmpl, rt_tmpl, payload_tmpl;
};

/* A new span under parent (sampled per the configured sampler); NULL when not recorded. out
 * receives the new context either way. name is copied when copy_name. */
struct gw_span *gw_telemetry_span_start(struct gw_telemetry *t, unsigned w,
                                        const struct gw_telemetry_req *r,
                                        const struct gw_tctx *parent, struct gw_tctx *out,
                                        const char *name, size_t name_len, bool copy_name,
                                        enum gw_span_kind kind, int64_t now);
void gw_telemetry_span_end(struct gw_telemetry *t, unsigned w, struct gw_span *s, int64_t now);
/* report_headers: one string-array attribute per header name not in skip. */
void gw_telemetry_headers(struct gw_span *s, bool response, const struct gw_tel_strs *skip,
                          struct gw_tel_hdrs h);
void gw_telemetry_statics(struct gw_span *s, const struct gw_tel_kvs *kv);
void gw_telemetry_exception(struct gw_span *s, const char *text, int64_t now);

#endif
