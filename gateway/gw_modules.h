/* gw_modules.h - the composition root: the KrakenD modules the gateway is built with, as router
 * middleware factories (gw_mw.h), backend stage factories (gw_stage.h) and proxy stage
 * factories (gw_pstage.h), each list in
 * KrakenD's order (../shared/spec/krakend-traffic-security.md §1). main.c hands them to the
 * server; `check` builds them once to report what they refuse or warn about. A new module adds
 * its factory here, and its folder to the program's DEPS in gateway/CMakeLists.txt. */
#ifndef GW_MODULES_H
#define GW_MODULES_H

#include "cmn_err.h"
#include "gw_config.h"
#include "gw_mw.h"
#include "gw_pstage.h"
#include "gw_server.h"
#include "gw_stage.h"

#include <stdbool.h>

/* The server options with every module's factories (auth is left NULL: main.c sets it). */
struct gw_server_opts gw_modules_opts(void);

/* Builds every module's middlewares and stages for cfg and frees them again: false with err set
 * when a module refuses the configuration (its warnings go to the log). */
bool gw_modules_check(const struct gw_config *cfg, struct cmn_err *err);

#endif
