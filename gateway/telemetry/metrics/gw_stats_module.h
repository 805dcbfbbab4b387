/* gw_stats_module.h - telemetry/metrics (krakend-metrics) behind the gateway's seams (spec
 * krakend-telemetry-validation.md §2): the collector's life (its collection tick, the /__stats
 * listener, the telemetry/influx pusher), the router layer (an endpoint middleware after the
 * bot detector), the `pipe` layer (a proxy stage, gw_pstage.h) and the `backend` layer (a backend
 * stage).
 *
 * start() before the server, stop() after it; the factories build nothing before start() or
 * when the block is absent. */
#ifndef GW_STATS_MODULE_H
#define GW_STATS_MODULE_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_stage.h"

#include <stdbool.h>

extern const struct gw_mw_factory gw_stats_mw_factory;
extern const struct gw_pstage_factory gw_stats_pipe_factory;
extern const struct gw_stage_factory gw_stats_backend_factory;

/* `check`: what KrakenD ignores or falls back from in telemetry/metrics and telemetry/influx,
 * through warn. False only on memory failure. */
bool gw_stats_module_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                           void *ctx, struct cmn_err *err);
bool gw_stats_module_start(const struct gw_config *cfg, struct cmn_err *err);
void gw_stats_module_stop(void);

#endif
