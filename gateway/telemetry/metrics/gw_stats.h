/* gw_stats.h - extra_config "telemetry/metrics" (krakend-metrics, spec §2): the legacy
 * collector (router, pipe and backend layers in go-metrics' names), its collection cycle, the
 * /__stats expvar document as a pure renderer, and the snapshot the Influx pusher sends.
 *
 * Recording runs on workers without locks: counters live in per-worker cells, histograms in
 * per-worker uniform reservoirs merged at render time; a collection tick only moves baselines
 * and an epoch, so it never writes worker memory. */
#ifndef GW_STATS_H
#define GW_STATS_H

#include "cmn_buf.h"
#include "cmn_err.h"
#include "gw_tel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_STATS_NAMESPACE "github_com/devopsfaith/krakend-metrics"
#define GW_STATS_PATH "/__stats"
#define GW_STATS_CONTENT_TYPE "application/json; charset=utf-8"

struct gw_stats_config {
    int64_t collection_ns; /* collection_time, 1m default */
    char *listen_address;  /* ":8090" default */
    bool proxy_disabled, router_disabled, backend_disabled, endpoint_disabled;
    struct gw_tel_strs warnings; /* what KrakenD ignores or would crash on, with JSON paths */
};

/* Parses the block (the namespace's value). Returns false (err set) when block is not an
 * object; KrakenD then runs without the collector. Never fails on values: KrakenD's silent
 * fallbacks apply and a warning says so. Free with gw_stats_config_free. */
bool gw_stats_config_parse(const json_t *block, struct gw_stats_config *out, struct cmn_err *err);
void gw_stats_config_free(struct gw_stats_config *c);

struct gw_stats;
struct gw_stats_endpoint;
struct gw_stats_backend;

/* n_workers shards plus a shared one (index n_workers, locked); seed drives the reservoirs'
 * sampling. Owned; NULL on failure. cfg is copied. */
struct gw_stats *gw_stats_new(const struct gw_stats_config *cfg, unsigned n_workers, uint64_t seed,
                              struct cmn_err *err);
void gw_stats_destroy(struct gw_stats *s);

/* Startup: an endpoint (Lura's normalised path, gin form "/users/:id"): pre-registers its
 * status counter, size/time histograms and the four pipe combinations. Owned by s. */
struct gw_stats_endpoint *gw_stats_endpoint_new(struct gw_stats *s, const char *endpoint);
/* Startup: a backend, named by its internal URL pattern ("/foo/{{.Id}}"). Owned by s. */
struct gw_stats_backend *gw_stats_backend_new(struct gw_stats *s, const char *name);
/* Lura's internal URL pattern of a backend url_pattern: {id} -> {{.Id}}. Owned or NULL. */
char *gw_stats_backend_name(const char *url_pattern);

/* Router layer (not 404/405, /__health, /__debug, /__echo): connected at start... */
void gw_stats_router_begin(struct gw_stats *s, unsigned worker);
/* ...and the end: status counter, bytes written, handler time in nanoseconds. */
void gw_stats_router_end(struct gw_stats *s, unsigned worker, const struct gw_stats_endpoint *ep,
                         int status, int64_t bytes, int64_t ns);
/* TLS requests: the negotiated version (0x0301..0x0304, 0x0300) and cipher suite id. */
void gw_stats_router_tls(struct gw_stats *s, unsigned worker, uint16_t version, uint16_t suite);
/* Pipe (endpoint proxy) and backend layers: one call each. */
void gw_stats_pipe(struct gw_stats *s, unsigned worker, const struct gw_stats_endpoint *ep,
                   bool complete, bool error, int64_t ns);
void gw_stats_backend(struct gw_stats *s, unsigned worker, const struct gw_stats_backend *be,
                      bool complete, bool error, int64_t ns);

/* Best-effort values for the Go runtime keys (krakend.service.*): whatever the caller can
 * measure (threads, RSS); the rest stays 0. */
struct gw_stats_runtime {
    int64_t num_thread, num_goroutine, num_cgo_call;
    int64_t alloc, sys, heap_alloc, heap_sys, heap_inuse, total_alloc, mallocs, frees;
    int64_t num_gc, last_gc, pause_total_ns;
};

/* Go's names of a TLS version and cipher suite ("VersionTLS13", "TLS_AES_128_GCM_SHA256",
 * "0x1234" when unknown) into out. */
void gw_stats_tls_version_name(uint16_t v, char *out, size_t cap);
void gw_stats_tls_suite_name(uint16_t id, char *out, size_t cap);

/* The Influx snapshot of one tick (§2.6, §4.5), taken before the histograms are cleared. */
struct gw_stats_hist_data {
    int64_t min, max;
    double mean, stddev, variance;
    double p[7]; /* 0.1 0.25 0.5 0.75 0.9 0.95 0.99 */
};
struct gw_stats_named {
    char *name;
    int64_t value;                  /* counters and gauges */
    struct gw_stats_hist_data hist; /* histograms */
};
struct gw_stats_snapshot {
    int64_t unix_s;
    struct gw_stats_named *counters, *gauges, *histograms;
    size_t n_counters, n_gauges, n_histograms;
};
void gw_stats_snapshot_free(struct gw_stats_snapshot *s);

/* The collection cycle (every collection_time, driven by the caller): connected/disconnected
 * move into their gauges and totals, the runtime values are stored, the snapshot is taken (when
 * snap is not NULL) and every histogram is cleared. now_unix_s stamps the snapshot. Runs on
 * one thread at a time (the caller's timer). Returns false on allocation failure. */
bool gw_stats_tick(struct gw_stats *s, const struct gw_stats_runtime *rt, int64_t now_unix_s,
                   struct gw_stats_snapshot *snap);

/* The /__stats body (expvar layout, keys sorted bytewise): argv as "cmdline", memstats_json
 * (a JSON object's text, NULL = "{}") as "memstats", then every metric flattened. Appends to
 * out; false when out's cap was reached or memory ran out. */
bool gw_stats_render(struct gw_stats *s, const char *const *argv, size_t argc,
                     const char *memstats_json, struct cmn_buf *out);

#endif
