/* gw_otel_module.h - telemetry/opentelemetry behind the gateway's seams (spec
 * krakend-telemetry-validation.md §1.2-§1.5, §3): the service (the configuration, the runtime
 * that records, the Prometheus listeners, the OTLP exporter), the router middlewares (the
 * global layer in GW_MW_OUTER, before anything; the route tagger, first of each endpoint's
 * chain), the proxy layer (a proxy stage, gw_pstage.h, outermost) and the backend layer (a
 * backend stage, outermost: the stage span and histogram, the round trip, the traceparent the
 * backend gets).
 *
 * start() before the server, stop() after it; the factories build nothing before start() or
 * when the block is absent or refused (KrakenD then runs without OpenTelemetry). */
#ifndef GW_OTEL_MODULE_H
#define GW_OTEL_MODULE_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_stage.h"

#include <stdbool.h>

extern const struct gw_mw_factory gw_otel_mw_factory;
extern const struct gw_pstage_factory gw_otel_pipe_factory;
extern const struct gw_stage_factory gw_otel_backend_factory;

/* `check`: parses the service block and every endpoint's and backend's override; warnings (and
 * KrakenD's refusal of the block, which only disables OpenTelemetry) go to warn. False only on
 * memory failure. */
bool gw_otel_module_check(const struct gw_config *cfg, void (*warn)(void *ctx, const char *msg),
                          void *ctx, struct cmn_err *err);
/* `run`: the runtime, its listeners and exporter, from cfg (borrowed until stop). Logs what it
 * ignores; false with err only when the gateway cannot run (memory). */
bool gw_otel_module_start(const struct gw_config *cfg, struct cmn_err *err);
/* Flushes what is left (best effort) and frees everything; safe when nothing started. */
void gw_otel_module_stop(void);

/* The Prometheus listeners (gw_otel_server.c). */
struct gw_telemetry;
struct gw_otel_config;
struct gw_prom_servers;
/* One listener per exports.prometheus entry ("host:port" as KrakenD takes it). A listener that
 * cannot start is reported as KrakenD does, on stderr, and the others still run. Owned;
 * NULL when there is none. */
struct gw_prom_servers *gw_prom_servers_start(struct gw_telemetry *t,
                                              const struct gw_otel_config *cfg);
void gw_prom_servers_stop(struct gw_prom_servers *s);

#endif
