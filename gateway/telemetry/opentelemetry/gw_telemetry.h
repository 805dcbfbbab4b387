/* gw_telemetry.h - KrakenD's OpenTelemetry layers at the gateway's hook points: one call per
 * hook records the metrics (spec §3.7) and the spans (§3.9) with propagation and sampling
 * (§3.10), skip_paths (§3.11) and report_headers applied.
 *
 * Wiring (§1.2-§1.5; gw_otel_module.c puts these behind the router's and the proxy's seams),
 * `w` the calling thread's slot (gw_telemetry_slot), `now` in Unix nanoseconds:
 *   router entry ........ gw_telemetry_begin      (before CORS, 404/405 and everything)
 *   endpoint matched .... gw_telemetry_route      (the route tagger, outermost in the handler)
 *   proxy stack ......... gw_telemetry_proxy_begin / _end   (around the whole §1.4 stack)
 *   backend stage ....... gw_telemetry_backend_begin / _end (§1.5, after the plugin layer)
 *   backend request ..... gw_telemetry_rt_begin (before sending: gives the headers to inject)
 *                         gw_telemetry_rt_end   (response headers received, or the failure)
 *   backend body read ... gw_telemetry_payload_end (EOF, error or close of the body)
 *   router exit ......... gw_telemetry_end        (after the last byte was written)
 * The per-request structs are the caller's (embedded, no allocation); a struct must stay alive
 * until its _end call. Nothing here blocks, locks or allocates per request. */
#ifndef GW_TELEMETRY_H
#define GW_TELEMETRY_H

#include "cmn_http.h"
#include "gw_hdrs.h"
#include "gw_otel_config.h"
#include "gw_otel_metrics.h"
#include "gw_span.h"
#include "gw_tracecontext.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Random bytes for trace and span ids; fill runs on the thread of slot w (any thread for the
 * shared slot, n_slots - 1). */
struct gw_otel_random {
    void (*fill)(void *ctx, unsigned slot, uint8_t *buf, size_t n);
    void *ctx;
};

/* xoshiro256** per slot (the last one, shared, behind a lock), seeded from seed (32 bytes) or,
 * when NULL, from the system's generator (cmn_rand). Owned (gw_otel_random_xoshiro_free). */
struct gw_otel_random *gw_otel_random_xoshiro_new(unsigned n_slots, const uint8_t *seed32);
void gw_otel_random_xoshiro_free(struct gw_otel_random *r);

/* Header fields as the hooks have them, without copies: the client's request and answer
 * (cmn_http) or the proxy's lists (gw_hdrs); NUL-terminated names and values. */
struct gw_tel_hdrs {
    const struct cmn_http_kv *kv; /* either */
    const struct gw_hdr *hd;      /* or */
    size_t n;
};

static inline struct gw_tel_hdrs gw_tel_hdrs_of_kv(const struct cmn_http_kv *kv, size_t n)
{
    struct gw_tel_hdrs h = {kv, NULL, kv ? n : 0};
    return h;
}

static inline struct gw_tel_hdrs gw_tel_hdrs_of(const struct gw_hdrs *l)
{
    struct gw_tel_hdrs h = {NULL, l ? l->v : NULL, l ? l->n : 0};
    return h;
}

struct gw_telemetry_opts {
    unsigned threads;             /* recording threads with a slot of their own (gw_tel.h) */
    size_t metric_slots;          /* cells per thread's shard, 0 = 65536 */
    unsigned spans_per_thread;    /* span records per thread's buffer, 0 = 4096 */
    int64_t start_unix_ns;        /* start of the cumulative metrics */
    struct gw_otel_random random; /* threads + 1 slots */
};

struct gw_telemetry;
struct gw_telemetry_endpoint;
struct gw_telemetry_backend;

/* Startup. cfg is borrowed and must outlive t. Owned; NULL with err on failure. */
struct gw_telemetry *gw_telemetry_new(const struct gw_otel_config *cfg,
                                      const struct gw_telemetry_opts *o, struct cmn_err *err);
void gw_telemetry_destroy(struct gw_telemetry *t);

/* Startup, per endpoint: its path as configured ("/users/{id}"), method, and the block under
 * its extra_config "telemetry/opentelemetry" (may be NULL). Warnings naming json_path are
 * appended to warn. Owned by t; NULL on memory failure. */
struct gw_telemetry_endpoint *gw_telemetry_endpoint_new(struct gw_telemetry *t, const char *path,
                                                        const char *method, const json_t *block,
                                                        const char *json_path,
                                                        struct gw_tel_strs *warn);
/* Startup, per backend of ep: url_pattern ("/api/users/{id}"), method, hosts, its block. */
struct gw_telemetry_backend *gw_telemetry_backend_new(struct gw_telemetry *t,
                                                      const struct gw_telemetry_endpoint *ep,
                                                      const char *url_pattern, const char *method,
                                                      const char *const *hosts, size_t n_hosts,
                                                      const json_t *block, const char *json_path,
                                                      struct gw_tel_strs *warn);

/* The request as received. Borrowed views, valid for the call (baggage: until the request
 * ends, it is re-sent to the backends). */
struct gw_telemetry_in {
    const char *method;
    size_t method_len;
    const char *path; /* decoded (Go's URL.Path): span name and skip_paths */
    size_t path_len;
    const char *target; /* path?query as received: url.full */
    size_t target_len;
    const char *host; /* Host header value */
    size_t host_len;
    const char *user_agent;
    size_t user_agent_len;
    const char *client_addr; /* TCP peer "ip:port" */
    size_t client_addr_len;
    int64_t content_length;     /* -1 unknown (chunked) */
    struct gw_tel_hdrs headers; /* report_headers */
    /* the first value of each propagation header, found by the caller (NULL: absent) */
    const char *traceparent, *tracestate, *baggage;
};

/* A trace context small enough to copy around. */
struct gw_tctx {
    uint8_t trace_id[16], span_id[8];
    uint8_t flags;
    bool remote, valid;
};

struct gw_telemetry_req {
    int64_t start_ns;
    bool skip;                  /* raw path in skip_paths: nothing is measured */
    uint8_t method;             /* enum gw_otel_method */
    struct gw_trace_ctx remote; /* extracted traceparent/tracestate */
    struct gw_tctx cur;         /* the global span, else the remote parent */
    struct gw_span *span;
    const struct gw_telemetry_endpoint *ep; /* set by gw_telemetry_route */
    const char *baggage;                    /* the incoming baggage to propagate, borrowed */
    size_t baggage_len;
};

void gw_telemetry_begin(struct gw_telemetry *t, unsigned worker, struct gw_telemetry_req *r,
                        const struct gw_telemetry_in *in, int64_t now);
/* The route tagger: the request reached this endpoint's handler. */
void gw_telemetry_route(struct gw_telemetry_req *r, const struct gw_telemetry_endpoint *ep);

struct gw_telemetry_out {
    int status;                 /* 0: nothing written = 200 */
    int64_t bytes;              /* body bytes written */
    bool hijacked;              /* upgraded connection */
    const char *write_error;    /* the body write failed: its text; NULL otherwise */
    struct gw_tel_hdrs headers; /* response headers (report_headers) */
};

void gw_telemetry_end(struct gw_telemetry *t, unsigned worker, struct gw_telemetry_req *r,
                      const struct gw_telemetry_out *out, int64_t now);

/* A proxy or backend stage call. */
struct gw_telemetry_stage {
    const struct gw_telemetry_req *req;
    int64_t start_ns;
    struct gw_span *span;
    struct gw_tctx ctx; /* this stage's span, else its parent's */
};

/* How a stage call ended (KrakenD's error/canceled/complete, §3.7). */
struct gw_telemetry_result {
    bool has_error;
    bool canceled;    /* the error is (or wraps, or a merged sub-error is) a cancellation */
    bool other_error; /* a merged sub-error that is not a cancellation */
    const char *error_text;
    bool has_response;
    bool complete;
    int status;                 /* the response metadata status (0 unless the no-op encoding) */
    struct gw_tel_hdrs headers; /* response metadata headers (report_headers) */
};

/* headers: the proxy request's headers (after input_headers), for report_headers. */
void gw_telemetry_proxy_begin(struct gw_telemetry *t, unsigned worker,
                              const struct gw_telemetry_req *r,
                              const struct gw_telemetry_endpoint *ep, struct gw_telemetry_stage *st,
                              struct gw_tel_hdrs headers, int64_t now);
void gw_telemetry_proxy_end(struct gw_telemetry *t, unsigned worker,
                            const struct gw_telemetry_endpoint *ep, struct gw_telemetry_stage *st,
                            const struct gw_telemetry_result *res, int64_t now);
/* parent: the proxy stage (or NULL: the request). */
void gw_telemetry_backend_begin(struct gw_telemetry *t, unsigned worker,
                                const struct gw_telemetry_stage *parent,
                                const struct gw_telemetry_req *r,
                                const struct gw_telemetry_backend *be,
                                struct gw_telemetry_stage *st, struct gw_tel_hdrs headers,
                                int64_t now);
void gw_telemetry_backend_end(struct gw_telemetry *t, unsigned worker,
                              const struct gw_telemetry_backend *be, struct gw_telemetry_stage *st,
                              const struct gw_telemetry_result *res, int64_t now);

/* The outgoing HTTP request of a backend. */
struct gw_telemetry_client_req {
    size_t host; /* index into the backend's hosts */
    const char *method;
    size_t method_len;
    const char *url; /* absolute */
    size_t url_len;
    const char *host_port; /* the request's Host ("127.0.0.1:8081") */
    size_t host_port_len;
    const char *user_agent;
    size_t user_agent_len;
    int64_t content_length;     /* -1 unknown */
    struct gw_tel_hdrs headers; /* before injection (report_headers) */
};

/* What to add to the outgoing request (each only when its length is non-zero). */
struct gw_telemetry_inject {
    char traceparent[GW_TRACEPARENT_LEN + 1];
    size_t traceparent_len;
    const char *tracestate; /* borrowed from the request */
    size_t tracestate_len;
    const char *baggage; /* borrowed from the request */
    size_t baggage_len;
};

struct gw_telemetry_rt {
    const struct gw_telemetry_req *req;
    int64_t start_ns;
    struct gw_span *span;
    struct gw_tctx ctx;
    size_t host;
    int method; /* enum gw_otel_method, or -1: the backend's */
    int64_t req_content_length;
    bool head;
    bool done;
};

/* The response (headers received) or the failure of one round trip. */
struct gw_telemetry_client_resp {
    enum gw_otel_rt_error error;
    const char *error_text; /* when error */
    int status;
    int64_t content_length; /* -1 when none */
    struct gw_tel_hdrs headers;
    int64_t first_byte_ns;     /* when the first response byte arrived (0: unknown) */
    double get_conn, dns, tls; /* seconds; 0 when not measured */
};

void gw_telemetry_rt_begin(struct gw_telemetry *t, unsigned worker,
                           const struct gw_telemetry_stage *backend_stage,
                           const struct gw_telemetry_req *r, const struct gw_telemetry_backend *be,
                           struct gw_telemetry_rt *rt, const struct gw_telemetry_client_req *cr,
                           struct gw_telemetry_inject *inj, int64_t now);
void gw_telemetry_rt_end(struct gw_telemetry *t, unsigned worker,
                         const struct gw_telemetry_backend *be, struct gw_telemetry_rt *rt,
                         const struct gw_telemetry_client_resp *resp, int64_t now);
/* The body of rt's response was read from first_read_ns to now (EOF or close). */
void gw_telemetry_payload_end(struct gw_telemetry *t, unsigned worker,
                              const struct gw_telemetry_backend *be,
                              const struct gw_telemetry_rt *rt, int64_t bytes,
                              int64_t first_read_ns, const char *read_error, int64_t now);

/* ---- export side (the exporter thread) ---- */

/* The calling thread's slot: what every `w` above is. */
unsigned gw_telemetry_slot(struct gw_telemetry *t);

/* Borrowed parts for the exporters and the Prometheus handler. */
const struct gw_otel_config *gw_telemetry_config(const struct gw_telemetry *t);
struct gw_otel_metrics *gw_telemetry_metrics(struct gw_telemetry *t); /* NULL: no metrics */
/* Slots, the shared one included: gw_telemetry_spans(t, 0 .. n - 1). */
unsigned gw_telemetry_n_slots(const struct gw_telemetry *t);
/* Slot w's span buffer (NULL when that slot recorded no span yet, or spans are off). */
struct gw_span_buf *gw_telemetry_spans(struct gw_telemetry *t, unsigned w);

/* The exporter's sleep between two drains: returns after ms, or sooner when woken by
 * gw_telemetry_wake or, if deep, by a thread whose span buffer fills to a quarter (a deep doze
 * may last long while nothing is recorded, and a burst must not find the buffers full). A
 * deep doze returns at once when a buffer is already that full. */
void gw_telemetry_doze(struct gw_telemetry *t, int64_t ms, bool deep);
void gw_telemetry_wake(struct gw_telemetry *t);

#endif
