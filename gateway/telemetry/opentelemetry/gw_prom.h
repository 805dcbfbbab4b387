/* gw_prom.h - the Prometheus text exposition (format 0.0.4) as KrakenD's exporter serves it:
 * client_golang's registry order and escaping, the OpenTelemetry exporter's target_info and
 * otel_scope_info, and the optional process collector (spec §3.4, §3.6, §3.13). Pure. */
#ifndef GW_PROM_H
#define GW_PROM_H

#include "cmn_buf.h"
#include "gw_metrics.h"
#include "gw_otel_config.h"
#include "gw_process.h"

#include <stdbool.h>

#define GW_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
#define GW_PROM_PATH "/metrics"

struct gw_prom_input {
    /* KrakenD's instruments; NULL when the exporter has disable_metrics (then neither
     * target_info nor otel_scope_info is served either). */
    const struct gw_metrics_snapshot *snap;
    const struct gw_tel_kvs *resource;   /* target_info labels (sorted resource attributes) */
    const struct gw_process_stats *proc; /* NULL unless process_metrics */
};

/* Appends the whole exposition to out. Returns false when out's cap was reached or memory ran
 * out (out then holds a truncated text the caller must not serve). */
bool gw_prom_render(const struct gw_prom_input *in, struct cmn_buf *out);

#endif
