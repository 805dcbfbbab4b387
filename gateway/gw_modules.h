/* gw_modules.h - the composition root: the KrakenD modules the gateway is built with, as router
 * middleware factories (gw_mw.h), backend stage factories (gw_stage.h) and proxy stage
 * factories (gw_pstage.h), each list in KrakenD's order
 * (../shared/spec/krakend-traffic-security.md §1), and the services that live beside the server
 * (logging, metrics listeners and exporters). main.c hands the factories to the server; `check`
 * builds them once to report what they refuse or warn about. A new module adds its factory
 * here, and its folder to the program's DEPS in gateway/CMakeLists.txt. */
#ifndef GW_MODULES_H
#define GW_MODULES_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_server.h"
#include "gw_stage.h"
#include "gw_validator.h"

#include <stdbool.h>

/* How `check` hears a module's warnings. */
typedef void (*gw_modules_warn_fn)(void *ctx, const char *msg);

/* The server options with every module's factories (auth is left NULL: main.c sets it). */
struct gw_server_opts gw_modules_opts(void);

/* `run`: the logger right after the configuration is read (KrakenD builds it first; its own
 * messages and warnings are logged); false with err: KrakenD panics. */
bool gw_modules_logging(const struct gw_config *cfg, struct cmn_err *err);

/* `check`: every module's configuration, middlewares and stages built once and freed again, and
 * the service-level ones (telemetry, auth/revoker) read: false with err set when a module
 * refuses the configuration; warnings go to warn. */
bool gw_modules_check(const struct gw_config *cfg, gw_modules_warn_fn warn, void *ctx,
                      struct cmn_err *err);

/* The service-level modules that live beside the server: telemetry/metrics and
 * telemetry/opentelemetry (their listeners and exporters), auth/revoker (its filters, the
 * rejecter it installs in the validator, its feed listener). Start before gw_server_start();
 * stop after gw_server_stop() (also after a failed start: it then stops the logger alone). */
struct gw_modules_rt;

/* Owned *out (NULL-safe to stop), or false with err set when a module refuses to start. */
bool gw_modules_start(const struct gw_config *cfg, struct gw_validator *val,
                      struct gw_modules_rt **out, struct cmn_err *err);
void gw_modules_stop(struct gw_modules_rt *rt);

#endif
