/* gw_otlp_export.h - the OTLP/HTTP push exporters (spec §3.5): a collector thread that drains
 * the workers' span buffers and the metric registry into request bodies, and a sender thread
 * that POSTs them with libcurl. Between the two, a bounded queue: when the collector is slow
 * or down, new bodies are dropped and counted, and the gateway never waits. */
#ifndef GW_OTLP_EXPORT_H
#define GW_OTLP_EXPORT_H

#include "cmn_err.h"
#include "gw_telemetry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_otlp_export_opts {
    size_t queue_cap;       /* bodies waiting to be sent; 0 = 16 */
    size_t max_body;        /* bytes per body; 0 = 4 MiB */
    size_t batch_size;      /* spans per body; 0 = 512 (Go's batch span processor) */
    int64_t batch_delay_ms; /* a partial batch waits at most this; 0 = 5000 */
    int64_t poll_ms;        /* how often the span buffers are drained; 0 = 5 */
    /* Export failures, in KrakenD's words ("[SERVICE: OpenTelemetry] <error>"); may be NULL.
     * Called on the sender thread. */
    void (*on_error)(void *ctx, const char *msg);
    void *ctx;
};

struct gw_otlp_export_stats {
    uint64_t bodies_sent, bodies_failed, bodies_dropped; /* dropped: the queue was full */
    uint64_t spans_sent, spans_dropped;                  /* spans in dropped/failed bodies */
    uint64_t spans_not_recorded;                         /* workers' pools were empty */
    uint64_t collector_wakeups; /* the collector's passes (it dozes up to 100 ms when idle) */
};

struct gw_otlp_exporter;

/* Starts the threads for every OTLP/HTTP exporter of t's configuration (gRPC ones are skipped:
 * a config warning says so). Returns NULL (no error) when there is nothing to export. t must
 * outlive the exporter. */
struct gw_otlp_exporter *gw_otlp_export_start(struct gw_telemetry *t,
                                              const struct gw_otlp_export_opts *o,
                                              struct cmn_err *err);
/* Flushes what the workers finished (best effort, within the OTLP timeout) and stops; the
 * final figures go to *last when not NULL. */
void gw_otlp_export_stop(struct gw_otlp_exporter *e, struct gw_otlp_export_stats *last);
void gw_otlp_export_get_stats(struct gw_otlp_exporter *e, struct gw_otlp_export_stats *out);

#endif
